"""Props every catalog module shares: the naming and tagging context (:mod:`platform_constructs.context`).

Every resource name is ``{environment}-{service_name}-{segment}`` (the one naming rule, see
:mod:`platform_constructs.naming`) and every taggable resource carries ``Environment``, ``Service``,
``ManagedBy`` and ``Name`` plus the caller's ``tags`` (which the provider's ``default_tags`` usually complete with
Team, Owner and CostCenter). In a stack, ``Label.module_inputs()`` fills the three from the stack's context.

The module's own tags win: the caller's ``tags`` only add keys. A caller's ``Service`` (or ``service``: AWS tag
keys are case-sensitive, so that would be a second tag that the tag policy and cost allocation do not read, and
IAM treats it as the same key) is refused rather than dropped, so a PR author who thinks they changed the tag
learns which input does it.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from platform_constructs.catalog.props import ModuleProps
from platform_constructs.naming import SEGMENT_PATTERN
from platform_constructs.registry.conventions import IDENTITY_TAGS
from platform_constructs.rules import Count, Matches, NotInIgnoringCase, each, keys

Segment = Matches(
    "Must be lower-case letters and digits, starting with a letter, with single inner hyphens.", SEGMENT_PATTERN
)
TagKey = Matches(
    "Tag keys must be 1-128 characters of letters, digits, spaces and _.:/=+-@ (aws: is reserved by AWS).",
    r"[A-Za-z0-9 _.:/=+@-]{1,128}",
)
TagValue = Matches(
    "Tag values must be at most 256 characters of letters, digits, spaces and _.:/=+-@.", r"[A-Za-z0-9 _.:/=+@-]{0,256}"
)
#: tag keys every catalog module sets on every taggable resource (the identity tags and Name)
MODULE_TAGS = (*IDENTITY_TAGS, "Name")


def reserved_tag_keys(extra: tuple[str, ...] = ()) -> NotInIgnoringCase:
    """The rule refusing a caller's tag key the module sets itself (``extra``: a module's own, such as rds's
    ``Role``), in any letter case, with the fix in the message."""
    reserved = (*MODULE_TAGS, *extra)
    return NotInIgnoringCase(
        f"Tag keys {', '.join(reserved)} (in any letter case) are set by the module and cannot be overridden: "
        "remove them from tags (Environment and Service come from the environment and service_name inputs, Name "
        "from the naming rule).",
        reserved,
    )


def tags_description(extra: tuple[str, ...] = ()) -> str:
    """The ``tags`` input's description, naming the keys the module keeps for itself."""
    reserved = ", ".join((*MODULE_TAGS, *extra))
    return (
        "Extra tags for every taggable resource. They only add keys: the module's own tags "
        f"({reserved}) always win, and passing one of them, in any letter case, is refused."
    )


#: for_each keys become resource addresses: plain, stable identifiers
RuleKey = Matches("Keys must be 1-64 characters of lower-case letters, digits, '_' and '-'.", r"[a-z0-9_-]{1,64}")
VpcId = Matches("Must be a VPC id (vpc- followed by 8 or 17 hex digits).", r"vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})")
SubnetIds = each(
    Matches("Every subnet id must be subnet- followed by 8 or 17 hex digits.", r"subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})")
)
SecurityGroupIdRule = Matches(
    "Must be a security group id (sg- followed by 8 or 17 hex digits).", r"sg-(?:[0-9a-f]{8}|[0-9a-f]{17})"
)
SecurityGroupIds = each(SecurityGroupIdRule)


def at_least(n: int, what: str) -> Count:
    return Count(f"Give at least {n} {what}.", n, 1000)


class CommonProps(ModuleProps):
    environment: Annotated[str, Segment] = Field(
        description="Environment segment of every name and the Environment tag (for example dev, stg, prod)."
    )
    service_name: Annotated[str, Segment] = Field(
        description="Service segment of every name and the Service tag (the service's name in platform.yaml)."
    )
    tags: Annotated[dict[str, str], keys(TagKey), keys(reserved_tag_keys()), each(TagValue)] = Field(
        default_factory=dict, description=tags_description()
    )
