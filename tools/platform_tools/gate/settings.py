"""What decides a service PR's verdict, taken from ``platform.yaml`` at the pinned platform commit, never from
the service repository: the caller workflow runs from the PR's own merge commit, so anything it passed could be
rewritten by the PR it judges. The caller names its service; the job checks that the repository running it is
the one registered for that service, so one service cannot borrow another's (laxer) settings.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.registry import Registry
from platform_tools.guardrails.policy.data import normalise_provider


@dataclass(frozen=True)
class GateSettings:
    service: str
    repository: str
    working_directory: str
    environments: tuple[str, ...]
    infracost: bool
    severity_threshold: str
    override_label: str
    override_approvers: tuple[str, ...]
    override_team: str
    platform_repository: str
    #: the clone URL catalog module sources use; the plan job resolves it to a local mirror
    catalog_url: str
    providers: tuple[str, ...]
    module_prefixes: tuple[str, ...]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    def outputs(self) -> dict[str, str]:
        """The values later jobs read as ``needs.prepare.outputs.*`` (single-line strings)."""
        return {
            "service": self.service,
            "working-directory": self.working_directory,
            "environments": " ".join(self.environments),
            "infracost": "true" if self.infracost else "false",
            "severity-threshold": self.severity_threshold,
            "override-label": self.override_label,
            "override-approvers": ",".join(self.override_approvers),
            "override-team": self.override_team,
            "catalog-url": self.catalog_url,
        }


def gate_settings(registry: Registry, service: str, repository: str) -> GateSettings:
    """The settings of ``service``'s PR check; refuses a repository that is not the service's registered one."""
    svc = registry.service(service, field="service")
    gh = registry.github
    expected = f"{gh.owner}/{svc.repo}"
    if repository.lower() != expected.lower():
        raise ConfigError(
            "infra gate settings",
            [
                Problem(
                    "repository",
                    f"is not the repository registered for service {service!r} in platform.yaml",
                    repository,
                    f"run the check from {expected}, or register this repository under services: (a service "
                    "may not borrow another service's settings)",
                )
            ],
        )
    guard = registry.guardrails
    platform_repository = f"{gh.owner}/{gh.platform_repo}"
    return GateSettings(
        service=svc.name,
        repository=expected,
        working_directory=svc.working_directory,
        environments=registry.service_environments(svc),
        infracost=svc.infracost,
        severity_threshold=guard.severity_threshold,
        override_label=guard.override.label,
        override_approvers=tuple(a.lstrip("@") for a in guard.override.approvers),
        override_team=guard.override.team or "",
        platform_repository=platform_repository,
        catalog_url=f"https://{gh.host}/{platform_repository}.git",
        providers=tuple(sorted({normalise_provider(p) for p in guard.sources.providers})),
        module_prefixes=tuple(guard.sources.modules),
    )
