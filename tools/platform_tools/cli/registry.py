"""``infra registry check``: validate platform.yaml and print what it registers."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from platform_tools.cli.common import add_platform_option, registry_path

if TYPE_CHECKING:
    from platform_constructs.registry import Registry


def registry_warnings(registry: Registry) -> list[str]:
    """Settings that are valid but will not do what a reader of the guardrails guide expects.

    Warnings, not errors: an organisation may decide that nothing overrides a blocking finding.
    """
    override = registry.guardrails.override
    if override.approvers or override.team:
        return []
    return [
        f"guardrails.override: no approvers and no team, so no PR can be merged by override (the label "
        f"{override.label!r} does nothing), and `infra render` refuses to render CODEOWNERS (it would own nothing)\n"
        "      fix: list platform-team GitHub logins under guardrails.override.approvers, or set "
        "guardrails.override.team (ORG/TEAM-SLUG); leave both empty only if overrides are meant to be impossible"
    ]


def cmd_registry_check(args: argparse.Namespace) -> int:
    from platform_constructs.errors import summarize
    from platform_constructs.registry import load_registry

    registry = load_registry(registry_path(args.platform))
    for warning in registry_warnings(registry):
        print(f"warning: {warning}", file=sys.stderr)
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
