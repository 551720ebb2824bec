"""The organisation registry (``platform.yaml``): the single source of truth for every stack and template."""

from platform_constructs.registry.loader import (
    DEFAULT_REGISTRY,
    REGISTRY_ENV_VAR,
    default_registry_path,
    load_registry,
    parse_registry,
    resolve_registry_path,
)
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
    "REGISTRY_ENV_VAR",
    "Environment",
    "GitHub",
    "PlatformTeam",
    "Registry",
    "Service",
    "StateBackendSettings",
    "default_registry_path",
    "load_registry",
    "parse_registry",
    "resolve_registry_path",
]
