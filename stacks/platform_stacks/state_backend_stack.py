"""The bootstrap stack: the state backend every other stack and every service repo stores state in.

It cannot keep its own state in a bucket that does not exist yet, so it starts on a local state file
(kept outside ``cdktf.out/``, which every synth replaces) and moves into its own bucket once
``state_backend.bootstrap_migrated`` is true (docs/state-backend.md walks through both steps).
"""

from __future__ import annotations

from platform_constructs.backend_config import BackendSettings
from platform_constructs.context import Label
from platform_constructs.engine.core import Construct, LocalBackend, S3Backend
from platform_constructs.registry import Registry
from platform_constructs.stack import PlatformStack
from platform_constructs.state_backend import StateBackend, StateBackendProps

STACK_ID = "state-backend"


def local_state_path(registry: Registry) -> str:
    """Relative to the stack's folder (cdktf.out/stacks/state-backend/ → <repo>/.state/<org>-<account>/).

    Scoped by organisation and platform account, so deploying another registry from the same clone can
    never read or overwrite this one's bootstrap state.
    """
    return f"../../../.state/{registry.scope}/{STACK_ID}.tfstate"


def platform_state_key(stack_id: str) -> str:
    """State key of a platform stack inside the state bucket (service repos use ``{service}/{env}/``)."""
    return f"platform/{stack_id}/terraform.tfstate"


def configure_s3_backend(stack: PlatformStack, registry: Registry, key: str) -> None:
    """Point ``stack`` at the shared backend with the registry's lock style (same as service repos)."""
    settings = BackendSettings.for_key(registry, key)
    S3Backend(
        stack,
        bucket=settings.bucket,
        key=settings.key,
        region=settings.region,
        encrypt=True,
        kms_key_id=settings.kms_key_id,
        dynamodb_table=settings.dynamodb_table,
    )
    if settings.use_lockfile:
        stack.add_override("terraform.backend.s3.use_lockfile", True)


class StateBackendStack(PlatformStack):
    def __init__(self, scope: Construct, registry: Registry, *, prevent_destroy: bool = True) -> None:
        super().__init__(
            scope,
            STACK_ID,
            label=Label.for_platform(registry),
            region=registry.region,
            account_id=registry.platform.account_id,
        )
        self.backend = StateBackend(
            self, "state", StateBackendProps.from_registry(registry, prevent_destroy=prevent_destroy)
        )
        if registry.state_backend.bootstrap_migrated:
            configure_s3_backend(self, registry, platform_state_key(STACK_ID))
        else:
            LocalBackend(self, path=local_state_path(registry))
