"""``backend.tf`` of a service repository's environment: the shared S3 backend at ``{service}/{env}/``."""

from __future__ import annotations

from platform_constructs.backend_config import BackendSettings
from platform_constructs.registry import Registry
from platform_tools.service_files.templating import render

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
