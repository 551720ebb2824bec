"""Builds the CDKTF App: one stack per concern (and, later, per environment) from the registry."""

from __future__ import annotations

from pathlib import Path

from platform_constructs.engine.core import App
from platform_constructs.registry import Registry
from platform_constructs.stack import PlatformStack
from platform_stacks.state_backend_stack import StateBackendStack


def build_app(registry: Registry, outdir: str | Path) -> tuple[App, list[PlatformStack]]:
    app = App(outdir=str(outdir), stack_traces=False)
    stacks: list[PlatformStack] = [StateBackendStack(app, registry)]
    return app, stacks
