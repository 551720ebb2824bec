"""The one naming and tagging context every resource takes its name and tags from (cloudposse null-label style).

Stacks hold a :class:`Label` and name resources with :meth:`Label.name` (``{env}-{service}-{resource-type}``,
checked against the AWS limit of the resource's kind) and tag them with :attr:`Label.tags` through the provider's
``default_tags``. Catalog constructs take the same context as their ``environment``/``service_name``/``tags``
inputs (:meth:`Label.module_inputs`), build names by the same rule over those inputs, and set the same identity
tags (:data:`~platform_constructs.registry.conventions.IDENTITY_TAGS`).

Pure Python (no jsii): the registry, the policies' data and the catalog props all use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from platform_constructs.naming import Kind, resource_name
from platform_constructs.registry.conventions import IDENTITY_TAGS, MANAGED_BY, PLATFORM_SERVICE, SHARED_SCOPE
from platform_constructs.registry.model import Registry


@dataclass(frozen=True)
class Label:
    """Environment, service and owners of a group of resources: their names and their mandatory tags."""

    env: str
    service: str
    team: str
    owner: str
    cost_center: str
    extra_tags: tuple[tuple[str, str], ...] = field(default=())

    @classmethod
    def for_service(cls, registry: Registry, service: str, env: str) -> Label:
        svc = registry.service(service)
        registry.environment(env)
        return cls(env, svc.name, svc.team, svc.owner, svc.cost_center)

    @classmethod
    def for_platform(cls, registry: Registry, env: str = SHARED_SCOPE) -> Label:
        if env != SHARED_SCOPE:
            registry.environment(env)
        p = registry.platform
        return cls(env, PLATFORM_SERVICE, p.team, p.owner, p.cost_center)

    def name(self, resource_type: str, kind: Kind = Kind.GENERIC) -> str:
        return resource_name(self.env, self.service, resource_type, kind)

    @property
    def tags(self) -> dict[str, str]:
        return {
            "Environment": self.env,
            "Service": self.service,
            "Team": self.team,
            "Owner": self.owner,
            "CostCenter": self.cost_center,
            "ManagedBy": MANAGED_BY,
            **dict(self.extra_tags),
        }

    def module_inputs(self) -> dict[str, object]:
        """The catalog modules' naming and tagging inputs for this context (``environment``, ``service_name``,
        ``tags``): a catalog construct in a stack then names and tags its resources exactly as the stack does."""
        return {
            "environment": self.env,
            "service_name": self.service,
            "tags": {k: v for k, v in self.tags.items() if k not in IDENTITY_TAGS},
        }
