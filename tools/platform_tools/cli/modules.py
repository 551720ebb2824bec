"""``infra modules export|stats``: regenerate or check ``modules_out/``, and the catalog's figures."""

from __future__ import annotations

import argparse
from pathlib import Path

from platform_tools.cli.common import add_platform_option, registry_path


def cmd_modules_export(args: argparse.Namespace) -> int:
    from platform_constructs.errors import ConfigError, Problem
    from platform_constructs.paths import local_root
    from platform_tools.catalog_export import check_catalog, export_catalog

    out = Path(args.out)
    if args.check:
        check_catalog(registry_path(args.platform), out)
        print(f"ok: {out}/ matches a fresh export")
        return 0
    committed = local_root() / "modules_out"
    if args.module and out.resolve() == committed.resolve():
        raise ConfigError(
            "modules export",
            [
                Problem(
                    "--module",
                    "exports a partial catalog, which would replace the committed modules_out/",
                    ",".join(args.module),
                    "add --out /tmp/somewhere/modules_out, or drop --module to export everything",
                )
            ],
        )
    names = export_catalog(registry_path(args.platform), out, args.module or None)
    print(f"exported {', '.join(names)} → {out}/")
    return 0


def cmd_modules_stats(args: argparse.Namespace) -> int:
    from platform_tools.catalog_export import catalog_stats

    rows = catalog_stats(Path(args.out), checkov=args.checkov)
    head = "| module | inputs | required | validation blocks | preconditions | examples |"
    rule = "|---|---|---|---|---|---|"
    if args.checkov:
        head += " checkov passed | failed | skipped |"
        rule += "---|---|---|"
    print(head)
    print(rule)
    for r in rows:
        line = f"| {r.name} | {r.inputs} | {r.required} | {r.validations} | {r.preconditions} | {r.examples} |"
        if args.checkov:
            line += f" {r.checkov_passed} | {r.checkov_failed} | {r.checkov_skipped} |"
        print(line)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("modules", help="the module catalog (modules_out/)")
    msub = p.add_subparsers(dest="modules_command", required=True)
    p = msub.add_parser("export", help="regenerate modules_out/ from the catalog constructs")
    add_platform_option(p)
    p.add_argument("--out", default="modules_out", help="catalog folder (default: modules_out)")
    p.add_argument("--check", action="store_true", help="change nothing; fail (exit 3) if --out is stale")
    p.add_argument("--module", action="append", help="export only this module (repeatable; development aid)")
    p.set_defaults(func=cmd_modules_export)
    p = msub.add_parser(
        "stats", help="inputs, validation blocks, preconditions (and checkov with --checkov) per module"
    )
    p.add_argument("--out", default="modules_out", help="catalog folder (default: modules_out)")
    p.add_argument("--checkov", action="store_true", help="also run checkov on each module and its examples")
    p.set_defaults(func=cmd_modules_stats)
