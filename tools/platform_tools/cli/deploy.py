"""``infra deploy STACK``: init, plan, confirm and apply one synthesized stack."""

from __future__ import annotations

import argparse
from pathlib import Path

from platform_tools.cli.common import add_platform_option, registry_path


def cmd_deploy(args: argparse.Namespace) -> int:
    from platform_tools.deploy import deploy

    return deploy(
        args.stack,
        env=args.env,
        platform=registry_path(args.platform),
        outdir=args.out,
        yes=args.yes,
        plan_only=args.plan_only,
        migrate_state=args.migrate_state,
        reconfigure=args.reconfigure,
        override_files=[Path(p) for p in args.override_file],
        backend_config=args.backend_config,
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("deploy", help="init, plan, confirm and apply one synthesized stack")
    p.add_argument("stack", help="stack name, e.g. state-backend")
    p.add_argument("--env", help="environment of a per-environment stack (deploys <stack>-<env>)")
    add_platform_option(p)
    p.add_argument("--out", default="cdktf.out", help="synth output folder (default: cdktf.out)")
    p.add_argument("--yes", action="store_true", help="apply without asking (CI); the plan is still shown")
    p.add_argument("--plan-only", action="store_true", help="stop after showing the plan")
    p.add_argument(
        "--migrate-state",
        action="store_true",
        help="move existing state into the configured backend (bootstrap step 2)",
    )
    p.add_argument(
        "--reconfigure",
        action="store_true",
        help="re-initialise after backend settings changed but the state stays where it is (e.g. lock style)",
    )
    p.add_argument(
        "--override-file",
        action="append",
        default=[],
        help="Terraform override file (*_override.tf.json) to place in the stack folder, e.g. "
        "provider endpoints or assume_role for break-glass access; repeatable",
    )
    p.add_argument("--backend-config", help="partial backend configuration file passed to terraform init")
    p.set_defaults(func=cmd_deploy)
