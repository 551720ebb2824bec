"""The synth cache's fingerprint covers what synth reads, and only that (no jsii needed to check it)."""

from __future__ import annotations

from platform_stacks.synth import fingerprint, synth_sources
from support.env import REPO


def relative() -> set[str]:
    return {str(p.relative_to(REPO)) for p in synth_sources()}


def test_the_app_its_stacks_and_their_lazy_imports_are_covered() -> None:
    found = relative()
    assert {
        "stacks/platform_stacks/app.py",
        "stacks/platform_stacks/state_backend_stack.py",
        "stacks/platform_stacks/synth.py",
        "constructs/platform_constructs/stack.py",
        "constructs/platform_constructs/aspects.py",
        "constructs/platform_constructs/state_backend.py",
        "constructs/platform_constructs/registry/model.py",
        "constructs/platform_constructs/hcl/render.py",  # imported inside synth(), only with --hcl
        "constructs/platform_constructs/engine/aws.py",
    } <= found


def test_tools_templates_and_the_catalog_export_are_not() -> None:
    """Editing the PR-comment markdown, a template or the release tool must not invalidate synth."""
    found = relative()
    assert not [p for p in found if p.startswith(("tools/", "templates/", "policy/"))]
    assert not [p for p in found if p.startswith("constructs/platform_constructs/catalog/")]
    assert all(p.endswith(".py") for p in found)


def test_the_fingerprint_follows_the_registry_and_the_flags() -> None:
    assert fingerprint("a: 1\n", hcl=False) == fingerprint("a: 1\n", hcl=False)
    assert fingerprint("a: 1\n", hcl=False) != fingerprint("a: 2\n", hcl=False)
    assert fingerprint("a: 1\n", hcl=False) != fingerprint("a: 1\n", hcl=True)
