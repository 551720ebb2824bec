"""The organisation's conventions that every resource follows, whichever layer builds or checks it.

The constructs apply them (:mod:`platform_constructs.context`, the tag Aspect, the catalog modules), the Rego
policies check plans against them (``data.guardrails`` from the registry), and the registry reserves the platform's
own scopes so no service or environment can take them. One definition here, so the three cannot drift.
"""

from __future__ import annotations

#: Seed task 2-6 lists Environment, Service, Team, Owner, CostCenter; ManagedBy says who may change it.
REQUIRED_TAGS = ("Environment", "Service", "Team", "Owner", "CostCenter", "ManagedBy")
#: Tags a catalog module sets itself from its inputs; the caller's provider default_tags add the rest.
IDENTITY_TAGS = ("Environment", "Service", "ManagedBy")
MANAGED_BY = "terraform"
#: Environment tag of resources that serve every environment (state backend, Atlantis, CloudTrail).
SHARED_SCOPE = "shared"
#: Service tag (and name segment) of the platform's own resources.
PLATFORM_SERVICE = "platform"
#: Scopes the platform uses for itself; services and environments may not take these names.
RESERVED_NAMES = frozenset({SHARED_SCOPE, PLATFORM_SERVICE, "global", "all", "aws", "terraform"})
