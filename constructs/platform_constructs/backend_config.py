"""The S3 backend settings, computed once from the registry for platform stacks and service repos alike."""

from __future__ import annotations

from dataclasses import dataclass

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.registry.model import Registry


@dataclass(frozen=True)
class BackendSettings:
    bucket: str
    key: str
    region: str
    kms_key_id: str
    dynamodb_table: str | None
    use_lockfile: bool

    @classmethod
    def for_key(cls, registry: Registry, key: str) -> BackendSettings:
        sb = registry.state_backend
        return cls(
            bucket=registry.state_bucket,
            key=key,
            region=registry.region,
            kms_key_id=f"arn:aws:kms:{registry.region}:{registry.platform.account_id}:alias/{sb.key_alias}",
            dynamodb_table=sb.lock_table_name if sb.lock in ("dynamodb", "both") else None,
            use_lockfile=sb.lock in ("s3", "both"),
        )

    @classmethod
    def for_service(cls, registry: Registry, service: str, env: str) -> BackendSettings:
        """Settings for a service repo: key ``{service}/{env}/terraform.tfstate`` (seed 1-1 / 6-1)."""
        problems = [p for p in (registry.service_problem(service), registry.environment_problem(env)) if p is not None]
        if not problems:
            deploys_to = registry.service_environments(next(s for s in registry.services if s.name == service))
            if env not in deploys_to:  # the PR check would never plan it, and nothing should write its state
                problems.append(
                    Problem(
                        "env",
                        f"service {service!r} does not deploy to {env!r}",
                        env,
                        f"one of {', '.join(deploys_to)}; or add {env} to the service's environments in platform.yaml",
                    )
                )
        if problems:
            raise ConfigError("backend.tf", problems)
        return cls.for_key(registry, f"{service}/{env}/terraform.tfstate")

    def attributes(self) -> list[tuple[str, str | bool]]:
        """Backend attributes in the order backend.tf shows them."""
        attrs: list[tuple[str, str | bool]] = [
            ("bucket", self.bucket),
            ("key", self.key),
            ("region", self.region),
            ("encrypt", True),
            ("kms_key_id", self.kms_key_id),
        ]
        if self.dynamodb_table:
            attrs.append(("dynamodb_table", self.dynamodb_table))
        if self.use_lockfile:
            attrs.append(("use_lockfile", True))
        return attrs
