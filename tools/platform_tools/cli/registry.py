"""``infra registry check``: validate platform.yaml and print what it registers."""

from __future__ import annotations

import argparse

from platform_tools.cli.common import add_platform_option, registry_path


def cmd_registry_check(args: argparse.Namespace) -> int:
    from platform_constructs.errors import summarize
    from platform_constructs.registry import load_registry

    registry = load_registry(registry_path(args.platform))
    print(
        f"ok: org {registry.org}, {len(registry.environments)} environments "
        f"({summarize(registry.environments)}), {len(registry.services)} services "
        f"({summarize(s.name for s in registry.services)})"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("registry", help="registry commands")
    rsub = p.add_subparsers(dest="registry_command", required=True)
    p = rsub.add_parser("check", help="validate platform.yaml and print a summary")
    add_platform_option(p)
    p.set_defaults(func=cmd_registry_check)
