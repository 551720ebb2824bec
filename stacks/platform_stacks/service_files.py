"""Files rendered for service repositories from the registry: backend.tf per environment, the guardrails caller
workflow and infracost.yml (the full infra/ later)."""

from __future__ import annotations

from pathlib import Path

from platform_constructs.backend_config import BackendSettings
from platform_constructs.catalog import catalog_ref
from platform_constructs.registry import Registry
from platform_constructs.templating import render
from platform_stacks.guardrails.cost import render_infracost_config
from platform_stacks.guardrails.workflow import CALLER_PATH, render_infra_checks_caller
from platform_stacks.output_tree import staged_tree

LOCK_DESCRIPTIONS = {
    "dynamodb": "DynamoDB table {table}",
    "s3": "S3 native lockfile (<key>.tflock, Terraform >= 1.11)",
    "both": "DynamoDB table {table} and the S3 native lockfile, both must be acquired",
}


def backend_tf(registry: Registry, service: str, env: str) -> str:
    settings = BackendSettings.for_service(registry, service, env)
    return render(
        "service/backend.tf.j2",
        service=service,
        env=env,
        settings=settings,
        width=max(len(name) for name, _ in settings.attributes()),
        lock_description=LOCK_DESCRIPTIONS[registry.state_backend.lock].format(table=settings.dynamodb_table),
    )


RENDER_MARKER = ".infra-render"


def render_service_files(registry: Registry, root: Path) -> list[Path]:
    """Per service under ``<root>/<service>/``: ``infra/environments/<env>/backend.tf`` for every environment,
    ``.github/workflows/infra-checks.yml`` (the guardrails caller) and ``infracost.yml``.

    The whole folder is rendered aside and swapped in, so files of a service or environment that left
    the registry do not linger where someone could copy them.
    """
    relative = []
    with staged_tree(
        root, (RENDER_MARKER,), command="render", produced_by="rendered by infra", default="build/services"
    ) as scratch:
        ref = catalog_ref()  # the platform release every caller pins
        for svc in registry.services:
            files = {
                Path("infra") / "environments" / env / "backend.tf": backend_tf(registry, svc.name, env)
                for env in registry.environments
            }
            files[Path(CALLER_PATH)] = render_infra_checks_caller(registry, svc.name, ref=ref)
            files[Path("infracost.yml")] = render_infracost_config(registry, svc.name)
            for path, text in files.items():
                rel = Path(svc.name) / path
                (scratch / rel).parent.mkdir(parents=True, exist_ok=True)
                (scratch / rel).write_text(text)
                relative.append(rel)
        (scratch / RENDER_MARKER).write_text("rendered by `infra render`; this folder is replaced on every run\n")
    return [root / rel for rel in relative]
