"""Every file the platform renders for service repositories, written as one tree under ``build/services/``."""

from __future__ import annotations

from pathlib import Path

from platform_constructs.catalog import catalog_ref
from platform_constructs.output_tree import staged_tree
from platform_constructs.registry import Registry
from platform_tools.service_files.backend import backend_tf
from platform_tools.service_files.caller_workflow import CALLER_PATH, render_infra_checks_caller
from platform_tools.service_files.github_settings import CODEOWNERS_PATH, service_files
from platform_tools.service_files.infracost_config import render_infracost_config

RENDER_MARKER = ".infra-render"


def render_service_files(registry: Registry, root: Path) -> list[Path]:
    """Per service under ``<root>/<service>/``: ``<working_directory>/environments/<env>/backend.tf`` for every
    environment the service deploys to (the PR check plans exactly those folders),
    ``.github/workflows/infra-checks.yml`` (the guardrails caller), ``infracost.yml`` and ``.github/CODEOWNERS``
    (the platform team owns the gate's files; the rulesets that enforce it go to ``build/github/``).

    The whole folder is rendered aside and swapped in, so files of a service or environment that left
    the registry do not linger where someone could copy them.
    """
    relative = []
    with staged_tree(
        root, (RENDER_MARKER,), command="render", produced_by="rendered by infra", default="build/services"
    ) as scratch:
        ref = catalog_ref()  # the platform release every caller pins
        codeowners = {s.service: s.codeowners for s in service_files(registry)}
        for svc in registry.services:
            files = {
                Path(svc.working_directory) / "environments" / env / "backend.tf": backend_tf(registry, svc.name, env)
                for env in registry.service_environments(svc)
            }
            files[Path(CALLER_PATH)] = render_infra_checks_caller(registry, svc.name, ref=ref)
            files[Path("infracost.yml")] = render_infracost_config(registry, svc.name)
            files[Path(CODEOWNERS_PATH)] = codeowners[svc.name]
            for path, text in files.items():
                rel = Path(svc.name) / path
                (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
                (scratch / rel).write_text(text)
                relative.append(rel)
        (scratch / RENDER_MARKER).write_text("rendered by `infra render`; this folder is replaced on every run\n")
    return [root / rel for rel in relative]
