"""The thin ``infra-checks.yml`` caller each service repository carries, rendered from the registry.

The caller only names the platform's reusable workflow and a platform release; everything else lives here,
so fixing a check means one platform release instead of a PR per service repository. The same ref is passed
twice (``uses: ...@ref`` and ``platform-ref``) because a called workflow cannot find out which ref it was
called at: the policies and scanner configuration must come from the release whose workflow runs them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.registry import Registry
from platform_constructs.registry.model import OWNER_PATTERN
from platform_tools.service_files.templating import render

#: A release tag (vX.Y.Z) or a full commit SHA: a branch would let a push change every service's checks.
REF_PATTERN = r"^(v\d+\.\d+\.\d+|[0-9a-f]{40})$"
CALLER_PATH = ".github/workflows/infra-checks.yml"
GUIDE = "docs/guardrails/README.md"


def render_infra_checks_caller(
    registry: Registry,
    service: str,
    *,
    ref: str | None = None,
    approvers: Sequence[str] | None = None,
    infracost: bool = True,
) -> str:
    """The caller workflow for ``service``; every value that reaches YAML is pattern-checked first.

    By default the caller pins the newest platform release (the catalog's CHANGELOG, the same tag the module
    READMEs pin) and takes the override approvers and label from ``guardrails.override`` in platform.yaml.
    """
    from platform_constructs.catalog import catalog_ref

    ref = ref or catalog_ref()
    if approvers is None:
        approvers = registry.guardrails.override.approvers
    problems = [p for p in [registry.service_problem(service)] if p is not None]
    if not re.fullmatch(REF_PATTERN, ref):
        problems.append(Problem("ref", "must be a release tag vX.Y.Z or a full commit SHA", ref, "for example v1.0.0"))
    bad = [a for a in approvers if not re.fullmatch(OWNER_PATTERN, a.lstrip("@"))]
    if bad:
        problems.append(Problem("approvers", "are not GitHub logins", ",".join(bad), "list logins without spaces"))
    if problems:
        raise ConfigError("infra-checks caller", problems)
    gh = registry.github
    platform_repository = f"{gh.owner}/{gh.platform_repo}"
    return render(
        "service/infra-checks.yml.j2",
        service=registry.service(service),
        platform_repository=platform_repository,
        ref=ref,
        environments=" ".join(registry.environments),
        approvers=",".join(a.lstrip("@") for a in approvers),
        override_label=registry.guardrails.override.label,
        infracost=infracost,
        guide_url=f"https://{gh.host}/{platform_repository}/blob/{ref}/{GUIDE}",
    )
