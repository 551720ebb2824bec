"""``infra cost check|config``: judge Infracost output against the thresholds, render a service's infracost.yml.

Exit codes follow the CLI's: 0 pass (a cost warning passes too: it is shown, not fatal), 2 bad input,
3 the cost is above the block threshold.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal

from platform_tools.cli.common import add_platform_option, decimal, registry_path


def cmd_cost_check(args: argparse.Namespace) -> int:
    from pathlib import Path

    from platform_tools.guardrails.cost import (
        THRESHOLD_NAMES,
        cost_thresholds,
        evaluate,
        load_infracost,
        thresholds_from_platform,
    )

    # the registry's guardrails.cost (./platform.yaml, else the embedded default); flags win
    flags = {name: getattr(args, name) for name in THRESHOLD_NAMES if getattr(args, name) is not None}
    thresholds = cost_thresholds(flags, base=thresholds_from_platform(registry_path(args.platform)))
    verdict = evaluate(load_infracost(Path(args.infracost_json)), thresholds)
    if args.json:
        print(json.dumps(verdict.to_dict(), indent=2))
    else:
        print(f"{verdict.status.upper()}: {verdict.reason}")
        for p in verdict.projects:
            pct = "n/a" if p.percent is None else f"{p.percent.quantize(Decimal('0.01')):+}%"
            past, total = _amount(p.past), _amount(p.total)
            print(f"  {p.status:<5} {p.name}: {past} → {total} {verdict.currency}/month ({pct})")
    return 3 if verdict.status == "block" else 0


def _amount(value: Decimal | None) -> str:
    return "unknown" if value is None else f"{value.quantize(Decimal('0.01')):,}"


def cmd_cost_config(args: argparse.Namespace) -> int:
    from platform_constructs.registry import load_registry
    from platform_tools.cli.service import write_or_print
    from platform_tools.service_files.infracost_config import render_infracost_config

    write_or_print(render_infracost_config(load_registry(registry_path(args.platform)), args.service), args.out)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cost", help="Infracost thresholds (+10 %% warns, +30 %% blocks) and infracost.yml")
    csub = p.add_subparsers(dest="cost_command", required=True)
    p = csub.add_parser("check", help="judge an `infracost breakdown|diff --format json` file: exit 3 on block")
    p.add_argument("infracost_json", help="Infracost JSON output (CLI v0.10, format 0.2)")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON (decimals as strings)")
    add_platform_option(
        p, help="registry whose guardrails.cost applies (default: ./platform.yaml, else the embedded one)"
    )
    p.add_argument("--warn-percent", type=decimal, help="warn from this increase in percent (default 10)")
    p.add_argument("--block-percent", type=decimal, help="block from this increase in percent (default 30)")
    p.add_argument(
        "--new-warn-amount", type=decimal, help="new project (past cost 0): warn from this monthly total (default 100)"
    )
    p.add_argument("--new-block-amount", type=decimal, help="new project: block from this monthly total (default 1000)")
    p.add_argument("--min-change", type=decimal, help="monthly changes below this never warn or block (default 10)")
    p.set_defaults(func=cmd_cost_check)
    p = csub.add_parser("config", help="render infracost.yml for SERVICE (one project per environment)")
    p.add_argument("service")
    add_platform_option(p)
    p.add_argument("--out", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_cost_config)
