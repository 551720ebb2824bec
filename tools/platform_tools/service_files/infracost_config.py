"""``infracost.yml`` of a service repository: one Infracost project per environment folder."""

from __future__ import annotations

from platform_constructs.registry import Registry
from platform_tools.service_files.templating import render


def render_infracost_config(registry: Registry, service: str) -> str:
    """One project per environment folder (``infra/environments/<env>``), each with its usage file."""
    registry.service(service)  # refuses an unregistered service, naming the registered ones
    return render("service/infracost.yml.j2", service=service, environments=list(registry.environments))
