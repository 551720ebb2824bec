"""``infra synth`` (every platform stack into cdktf.out/) and ``infra tf-config`` (the Terraform CLI config)."""

from __future__ import annotations

import argparse
from pathlib import Path

from platform_tools.cli.common import add_platform_option, registry_path


def cmd_synth(args: argparse.Namespace) -> int:
    from platform_stacks.synth import synth

    result = synth(registry_path(args.platform), args.out, force=args.force, hcl=args.hcl)
    state = "unchanged (cached)" if result.cached else "synthesized"
    print(f"{state}: {', '.join(result.stacks)} → {result.outdir}/stacks/ in {result.seconds:.2f}s")
    return 0


def cmd_tf_config(args: argparse.Namespace) -> int:
    from platform_constructs.paths import cli_config_path
    from platform_constructs.tf import write_cli_config

    path = write_cli_config(Path(args.path).resolve() if args.path else cli_config_path())
    print(path)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("synth", help="synthesize every platform stack into cdktf.out/")
    add_platform_option(p)
    p.add_argument("--out", default="cdktf.out", help="output folder (default: cdktf.out)")
    p.add_argument("--force", action="store_true", help="synthesize even when nothing changed")
    p.add_argument("--hcl", action="store_true", help="also write the HCL form to <out>/hcl/<stack>/main.tf")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("tf-config", help="write the Terraform CLI config (provider mirror) and print its path")
    p.add_argument("--path", help="where to write it (default: <repo>/build/terraform/cli.tfrc)")
    p.set_defaults(func=cmd_tf_config)
