"""``infracost.yml`` of a service repository: one Infracost project per environment folder."""

from __future__ import annotations

from platform_constructs.registry import Registry
from platform_tools.service_files.templating import render


def render_infracost_config(registry: Registry, service: str) -> str:
    """One project per environment the service deploys to (``<working_directory>/environments/<env>``).

    The PR check renders this in its own job from the pinned registry, so the project list is the platform's,
    not whatever the PR's copy of the file says.
    """
    svc = registry.service(service)  # refuses an unregistered service, naming the registered ones
    return render(
        "service/infracost.yml.j2",
        service=service,
        workdir=svc.working_directory,
        environments=list(registry.service_environments(svc)),
    )
