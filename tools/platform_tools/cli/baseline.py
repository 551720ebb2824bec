"""``infra baseline check``: every scanner skip registered, reasoned and unexpired (exit 3 otherwise)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from platform_tools.cli.common import iso_date


def cmd_baseline_check(args: argparse.Namespace) -> int:
    from platform_constructs.errors import ConfigError, Problem
    from platform_tools.guardrails.baseline_files import BaselineError
    from platform_tools.guardrails.suppressions import check_baseline

    # A path that does not exist would be searched for nothing and pass: the check must say it looked nowhere.
    missing = [
        Problem(flag, "does not exist", value, "pass an existing folder or file")
        for flag, values in (("--root", [args.root] if args.root else []), ("--scan", args.scan or []))
        for value in values
        if not Path(value).exists()
    ]
    if missing:
        raise ConfigError("infra baseline check", missing)
    root = Path(args.root).resolve() if args.root else None
    scan = [Path(p).resolve() for p in args.scan] if args.scan else None
    today = dt.date.fromisoformat(args.today) if args.today else None
    report = check_baseline(root, scan_dirs=scan, today=today)
    if report.problems:
        raise BaselineError(report.problems)
    print(f"ok: {report.summary()}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("baseline", help="scanner baseline: checkov skips, .trivyignore, inline skips")
    bsub = p.add_subparsers(dest="baseline_command", required=True)
    p = bsub.add_parser(
        "check",
        help="every global skip registered and unexpired, every inline skip with a reason: exit 3 otherwise",
    )
    p.add_argument(
        "--root",
        help="folder holding .checkov.yaml, policy/checkov/ and .trivyignore (default: the platform's own, "
        "from the installed package or the checkout)",
    )
    p.add_argument(
        "--scan",
        action="append",
        help="folder or file to search for inline skips (repeatable; default: modules_out and cdktf.out under --root)",
    )
    p.add_argument("--today", type=iso_date, help="judge expiries as of this date (YYYY-MM-DD; default: today)")
    p.set_defaults(func=cmd_baseline_check)
