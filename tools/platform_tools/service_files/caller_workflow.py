"""The thin ``infra-checks.yml`` caller each service repository carries, rendered from the registry.

The caller names the platform's reusable workflow at one platform commit and the service; nothing else. Every
setting of the check is read from ``platform.yaml`` at that commit inside the reusable workflow (which finds the
commit from its own OIDC token), because the caller runs from the PR's merge commit: whatever it passed, the PR
could rewrite. The pin is a full commit SHA with the release tag as a comment (a tag can be moved, a SHA cannot);
when the tag is not in the local clone (a fresh clone has no tags) the tag itself is the pin, and the render says
so. Binding the gate (CODEOWNERS, rulesets, the required check) is docs/guardrails/binding.md.
"""

from __future__ import annotations

import re
import subprocess

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.paths import checkout_root
from platform_constructs.registry import Registry
from platform_tools.service_files.github_settings import REQUIRED_CHECK_CONTEXT
from platform_tools.service_files.templating import render

#: A release tag (vX.Y.Z) or a full commit SHA: a branch would let a push change every service's checks.
REF_PATTERN = r"^(v\d+\.\d+\.\d+|[0-9a-f]{40})$"
CALLER_PATH = ".github/workflows/infra-checks.yml"
GUIDE = "docs/guardrails/README.md"


def resolve_pin(ref: str) -> tuple[str, str]:
    """``(pin, comment)``: a tag resolved to its commit in this checkout when it can be, else the tag as is."""
    root = checkout_root()
    if ref.startswith("v") and root is not None:
        proc = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"refs/tags/{ref}^{{commit}}"],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        sha = proc.stdout.strip()
        if proc.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", sha):
            return sha, ref
    return ref, ""


def render_infra_checks_caller(registry: Registry, service: str, *, ref: str | None = None) -> str:
    """The caller workflow for ``service``; ``ref`` defaults to the newest platform release (the CHANGELOG's)."""
    from platform_constructs.catalog import catalog_ref

    ref = ref or catalog_ref()
    problems = [p for p in [registry.service_problem(service)] if p is not None]
    if not re.fullmatch(REF_PATTERN, ref):
        problems.append(Problem("ref", "must be a release tag vX.Y.Z or a full commit SHA", ref, "for example v1.0.0"))
    if problems:
        raise ConfigError("infra-checks caller", problems)
    pin, comment = resolve_pin(ref)
    gh = registry.github
    platform_repository = f"{gh.owner}/{gh.platform_repo}"
    return render(
        "service/infra-checks.yml.j2",
        service=registry.service(service),
        platform_repository=platform_repository,
        pin=pin,
        pin_comment=comment,
        team=registry.guardrails.override.team,
        required_check=REQUIRED_CHECK_CONTEXT,
        guide_url=f"https://{gh.host}/{platform_repository}/blob/{ref}/{GUIDE}",
    )
