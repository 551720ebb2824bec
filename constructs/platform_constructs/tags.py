"""Mandatory tags and the one context object every resource takes its name and tags from.

Tags reach resources through the provider's ``default_tags`` (so nothing can forget them); the
:class:`RequiredTagsAspect` then proves, at synth time, that every taggable resource really ends up with
all of them. A resource on a provider without default tags, or one that blanks a tag, fails synth.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jsii

from platform_constructs.engine.core import IAspect, IConstruct, TerraformResource, Token
from platform_constructs.naming import Kind, resource_name
from platform_constructs.registry.model import Registry

#: Seed task 2-6 lists Environment, Service, Team, Owner, CostCenter; ManagedBy says who may change it.
REQUIRED_TAGS = ("Environment", "Service", "Team", "Owner", "CostCenter", "ManagedBy")
MANAGED_BY = "terraform"
#: Environment tag of resources that serve every environment (state backend, Atlantis, CloudTrail).
SHARED_SCOPE = "shared"
PLATFORM_SERVICE = "platform"


@dataclass(frozen=True)
class Label:
    """Naming and tagging context (in the spirit of cloudposse's null-label)."""

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


@dataclass(frozen=True)
class TagViolation:
    path: str
    resource_type: str
    missing: tuple[str, ...]

    def render(self) -> str:
        return (
            f"{self.path} ({self.resource_type}) lacks tag(s) {', '.join(self.missing)}; "
            "create it in a PlatformStack (provider default_tags) or pass the tags explicitly"
        )


def is_taggable(resource: TerraformResource) -> bool:
    """A resource type is taggable when its binding exposes ``tags`` input (AWS's own definition)."""
    return hasattr(type(resource), "tags_input")


@jsii.implements(IAspect)
class RequiredTagsAspect:
    """Records every taggable resource whose effective tags miss a required key.

    It records instead of raising: an exception inside a jsii callback surfaces as an opaque kernel
    error. The synth pipeline reads :attr:`violations` and refuses to write the output.
    """

    def __init__(self, provider_tags: dict[str, dict[str, str]], default_provider: str) -> None:
        self.provider_tags = provider_tags
        self.default_provider = default_provider
        self.violations: list[TagViolation] = []

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, TerraformResource) or not is_taggable(node):
            return
        provider = node.provider
        provider_path = provider.node.path if provider is not None else self.default_provider
        effective = dict(self.provider_tags.get(provider_path, {}))
        own: Any = node.tags_input  # type: ignore[attr-defined]
        if isinstance(own, dict):
            effective.update(own)
        elif own is not None and Token.is_unresolved(own):
            return  # tags computed at apply time; the plan-time Rego policy checks those
        missing = tuple(k for k in REQUIRED_TAGS if not str(effective.get(k, "")).strip())
        if missing:
            self.violations.append(TagViolation(node.node.path, node.terraform_resource_type, missing))
