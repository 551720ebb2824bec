"""The organisation registry (``platform.yaml``): the single source of truth for every stack and template."""

from platform_constructs.registry.loader import DEFAULT_REGISTRY, default_registry_path, load_registry, parse_registry
from platform_constructs.registry.model import (
    Environment,
    GitHub,
    PlatformTeam,
    Registry,
    Service,
    StateBackendSettings,
)

__all__ = [
    "DEFAULT_REGISTRY",
    "Environment",
    "GitHub",
    "PlatformTeam",
    "Registry",
    "Service",
    "StateBackendSettings",
    "default_registry_path",
    "load_registry",
    "parse_registry",
]
