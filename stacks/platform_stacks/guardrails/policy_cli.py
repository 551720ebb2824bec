"""``infra policy check|test|data``: the Rego guardrails from the command line (and from CI).

``check`` prints conftest's JSON (``--format json``, what the infra-checks workflow reads) or a table, and
exits 3 when a deny rule fired; ``test`` runs the policies' own unit tests (policy/*_test.rego); ``data``
prints the data document for ``conftest test --data``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

PLATFORM_HELP = "registry file (default: ./platform.yaml if present, else the embedded default)"


def _data(args: argparse.Namespace) -> dict[str, Any]:
    from platform_constructs.errors import ConfigError, Problem
    from platform_constructs.registry import load_registry
    from platform_constructs.registry.loader import default_registry_path
    from platform_stacks.guardrails.policy_data import build_data

    registry = load_registry(args.platform or default_registry_path())
    service = getattr(args, "service", None)
    if service is not None and service not in {s.name for s in registry.services}:
        raise ConfigError(
            "policy",
            [
                Problem(
                    "--service",
                    "not a registered service",
                    service,
                    f"use one of {', '.join(s.name for s in registry.services)} or register it in platform.yaml",
                )
            ],
        )
    return build_data(registry, service=service)


def cmd_check(args: argparse.Namespace) -> int:
    from platform_stacks.guardrails.policy_runner import check_path, counts, table

    results = check_path(Path(args.path), data=_data(args))
    if args.format == "json":
        print(json.dumps(results, indent=2))
    else:
        print(table(results))
    c = counts(results)
    if c["failures"]:
        print(f"policy check refused: {c['failures']} deny finding(s)", file=sys.stderr)
        return 3
    return 0


def cmd_test(args: argparse.Namespace) -> int:
    from platform_stacks.guardrails.policy_runner import POLICY_DIR, run_tests

    outcomes = run_tests(Path(args.policy_dir) if args.policy_dir else POLICY_DIR)
    failed = [o for o in outcomes if not o.passed]
    for o in outcomes:
        print(f"{'PASS' if o.passed else 'FAIL'}  {o.package}.{o.name}")
    print(f"{len(outcomes)} tests, {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 3 if failed or not outcomes else 0


def cmd_data(args: argparse.Namespace) -> int:
    if args.regenerate_taggable:
        from platform_constructs.hcl.schema import load_shapes
        from platform_stacks.guardrails.policy_data import TAGGABLE_FILE, generate_taggable

        doc = generate_taggable(load_shapes().resources)
        TAGGABLE_FILE.write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {TAGGABLE_FILE} ({len(doc['types'])} taggable types)", file=sys.stderr)
        return 0
    print(json.dumps(_data(args), indent=2, sort_keys=True))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("policy", help="the Rego guardrails (policy/): check a plan, run the policy tests, print data")
    psub = p.add_subparsers(dest="policy_cmd", required=True)

    c = psub.add_parser("check", help="check a plan JSON (terraform show -json), a cdk.tf.json or a synth folder")
    c.add_argument("path", help="plan JSON, cdk.tf.json, or a synth output folder (cdktf.out)")
    c.add_argument("--format", choices=("json", "table"), default="table", help="json = conftest --output json")
    c.add_argument("--platform", help=PLATFORM_HELP)
    c.add_argument("--service", help="only this service's exceptions apply (default: every entry)")
    c.set_defaults(func=cmd_check)

    t = psub.add_parser("test", help="run policy/*_test.rego (every test_ rule must hold)")
    t.add_argument("--policy-dir", help="policy folder (default: this repo's policy/)")
    t.set_defaults(func=cmd_test)

    d = psub.add_parser("data", help="print the data document for conftest --data (from platform.yaml)")
    d.add_argument("--platform", help=PLATFORM_HELP)
    d.add_argument("--service", help="only this service's exceptions")
    d.add_argument(
        "--regenerate-taggable",
        action="store_true",
        help="rewrite policy/data/aws_taggable.json from the provider schema (needs the provider mirror)",
    )
    d.set_defaults(func=cmd_data)
