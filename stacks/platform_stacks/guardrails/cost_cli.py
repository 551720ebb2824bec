"""``infra cost check|config`` and ``infra baseline check``: the scanner-baseline and cost commands.

Exit codes follow the CLI's: 0 pass (a cost warning passes too: it is shown, not fatal), 2 bad input,
3 a rule refused (cost above the block threshold, an unregistered or expired skip, a skip without reason).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path

PLATFORM_HELP = "registry file (default: ./platform.yaml if present, else the embedded default)"


def cmd_cost_check(args: argparse.Namespace) -> int:
    from platform_constructs.registry.loader import default_registry_path
    from platform_stacks.guardrails.cost import CostThresholds, evaluate, load_infracost, thresholds_from_platform

    # the registry's guardrails.cost (./platform.yaml, else the embedded default); flags win
    configured: dict[str, object] = dict(thresholds_from_platform(args.platform or default_registry_path()))
    for name in ("warn_percent", "block_percent", "new_warn_amount", "new_block_amount", "min_change"):
        value = getattr(args, name)
        if value is not None:
            configured[name] = value
    t = CostThresholds.from_mapping(configured, "cost thresholds")
    verdict = evaluate(
        load_infracost(Path(args.infracost_json)),
        warn_percent=t.warn_percent,
        block_percent=t.block_percent,
        new_warn_amount=t.new_warn_amount,
        new_block_amount=t.new_block_amount,
        min_change=t.min_change,
    )
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
    from platform_constructs.registry.loader import default_registry_path
    from platform_stacks.guardrails.cost import render_infracost_config

    text = render_infracost_config(load_registry(args.platform or default_registry_path()), args.service)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_baseline_check(args: argparse.Namespace) -> int:
    from platform_constructs.paths import REPO_ROOT
    from platform_stacks.guardrails.baseline import BaselineError, check_baseline

    root = Path(args.root).resolve() if args.root else REPO_ROOT
    scan = [Path(p).resolve() for p in args.scan] if args.scan else None
    today = dt.date.fromisoformat(args.today) if args.today else None
    report = check_baseline(root, scan_dirs=scan, today=today)
    if report.problems:
        raise BaselineError(report.problems)
    print(f"ok: {report.summary()}")
    return 0


def _iso_date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None
    return value


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except ArithmeticError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("cost", help="Infracost thresholds (+10 %% warns, +30 %% blocks) and infracost.yml")
    csub = p.add_subparsers(dest="cost_command", required=True)
    p = csub.add_parser("check", help="judge an `infracost breakdown|diff --format json` file: exit 3 on block")
    p.add_argument("infracost_json", help="Infracost JSON output (CLI v0.10, format 0.2)")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON (decimals as strings)")
    p.add_argument(
        "--platform",
        help="registry whose guardrails.cost applies (default: ./platform.yaml, else the embedded one)",
    )
    p.add_argument("--warn-percent", type=_decimal, help="warn from this increase in percent (default 10)")
    p.add_argument("--block-percent", type=_decimal, help="block from this increase in percent (default 30)")
    p.add_argument(
        "--new-warn-amount", type=_decimal, help="new project (past cost 0): warn from this monthly total (default 100)"
    )
    p.add_argument(
        "--new-block-amount", type=_decimal, help="new project: block from this monthly total (default 1000)"
    )
    p.add_argument("--min-change", type=_decimal, help="monthly changes below this never warn or block (default 10)")
    p.set_defaults(func=cmd_cost_check)
    p = csub.add_parser("config", help="render infracost.yml for SERVICE (one project per environment)")
    p.add_argument("service")
    p.add_argument("--platform", help=PLATFORM_HELP)
    p.add_argument("--out", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_cost_config)

    p = sub.add_parser("baseline", help="scanner baseline: checkov skips, .trivyignore, inline skips")
    bsub = p.add_subparsers(dest="baseline_command", required=True)
    p = bsub.add_parser(
        "check",
        help="every global skip registered and unexpired, every inline skip with a reason: exit 3 otherwise",
    )
    p.add_argument("--root", help="folder holding .checkov.yaml, policy/checkov/ and .trivyignore (default: this repo)")
    p.add_argument(
        "--scan",
        action="append",
        help="folder or file to search for inline skips (repeatable; default: modules_out and cdktf.out)",
    )
    p.add_argument("--today", type=_iso_date, help="judge expiries as of this date (YYYY-MM-DD; default: today)")
    p.set_defaults(func=cmd_baseline_check)
