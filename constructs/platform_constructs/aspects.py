"""Platform checks that run over every construct at synth time (cdk-nag style Aspects).

Tags reach resources through the provider's ``default_tags`` (so nothing can forget them); the
:class:`RequiredTagsAspect` then proves, at synth time, that every taggable resource really ends up with
all of them. A resource on a provider without default tags, or one that blanks a tag, fails synth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jsii

from platform_constructs.engine.core import IAspect, IConstruct, TerraformResource, Token
from platform_constructs.registry.conventions import REQUIRED_TAGS


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
