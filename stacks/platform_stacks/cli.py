"""``infra``: the one entry point the Makefile and platform engineers use.

Exit codes: 0 success, 2 bad input (registry, arguments), 3 a platform rule refused the output,
4 Terraform failed, 5 the user declined a confirmation, 1 anything unexpected (a bug: please report).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from platform_constructs.errors import PlatformError

#: Modules that add their own subcommands (``register(sub)``); each imports its heavy dependencies lazily.
COMMAND_GROUPS = (
    "platform_stacks.release.command",  # release, release publish
    "platform_stacks.guardrails.cost_cli",  # cost check|config, baseline check
    "platform_stacks.guardrails.report_cli",  # report, report post
    "platform_stacks.guardrails.policy_cli",  # policy check|test|data
)

PLATFORM_HELP = "registry file (default: ./platform.yaml if present, else the embedded default)"


def _platform_arg(value: str | None) -> str | None:
    from platform_constructs.registry.loader import default_registry_path

    return value or default_registry_path()


def cmd_synth(args: argparse.Namespace) -> int:
    from platform_stacks.synth import synth

    result = synth(_platform_arg(args.platform), args.out, force=args.force, hcl=args.hcl)
    state = "unchanged (cached)" if result.cached else "synthesized"
    print(f"{state}: {', '.join(result.stacks)} → {result.outdir}/stacks/ in {result.seconds:.2f}s")
    return 0


def cmd_registry_check(args: argparse.Namespace) -> int:
    from platform_constructs.registry import load_registry

    registry = load_registry(_platform_arg(args.platform))
    print(
        f"ok: org {registry.org}, {len(registry.environments)} environments "
        f"({', '.join(registry.environments)}), {len(registry.services)} services "
        f"({', '.join(s.name for s in registry.services)})"
    )
    return 0


def cmd_service_backend(args: argparse.Namespace) -> int:
    from platform_constructs.registry import load_registry
    from platform_stacks.service_files import backend_tf

    text = backend_tf(load_registry(_platform_arg(args.platform)), args.service, args.env)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        print(f"wrote {out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from platform_constructs.registry import load_registry
    from platform_stacks.service_files import render_service_files

    written = render_service_files(load_registry(_platform_arg(args.platform)), Path(args.out))
    print(f"rendered {len(written)} files (backend.tf, infra-checks.yml, infracost.yml) under {args.out}/")
    return 0


def cmd_modules_export(args: argparse.Namespace) -> int:
    from platform_constructs.errors import ConfigError, Problem
    from platform_constructs.paths import REPO_ROOT
    from platform_stacks.catalog_export import check_catalog, export_catalog

    out = Path(args.out)
    if args.check:
        check_catalog(_platform_arg(args.platform), out)
        print(f"ok: {out}/ matches a fresh export")
        return 0
    if args.module and out.resolve() == (REPO_ROOT / "modules_out").resolve():
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
    names = export_catalog(_platform_arg(args.platform), out, args.module or None)
    print(f"exported {', '.join(names)} → {out}/")
    return 0


def cmd_modules_stats(args: argparse.Namespace) -> int:
    from platform_stacks.catalog_export import catalog_stats

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


def cmd_deploy(args: argparse.Namespace) -> int:
    from platform_stacks.deploy import deploy

    return deploy(
        args.stack,
        env=args.env,
        platform=_platform_arg(args.platform),
        outdir=args.out,
        yes=args.yes,
        plan_only=args.plan_only,
        migrate_state=args.migrate_state,
        reconfigure=args.reconfigure,
        override_files=[Path(p) for p in args.override_file],
        backend_config=args.backend_config,
    )


def cmd_tf_config(args: argparse.Namespace) -> int:
    from platform_constructs.paths import cli_config_path
    from platform_constructs.tf import write_cli_config

    path = write_cli_config(Path(args.path).resolve() if args.path else cli_config_path())
    print(path)
    return 0


def _add_modules_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("modules", help="the module catalog (modules_out/)")
    msub = p.add_subparsers(dest="modules_command", required=True)
    p = msub.add_parser("export", help="regenerate modules_out/ from the catalog constructs")
    p.add_argument("--platform", help=PLATFORM_HELP)
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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="infra", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("synth", help="synthesize every platform stack into cdktf.out/")
    p.add_argument("--platform", help=PLATFORM_HELP)
    p.add_argument("--out", default="cdktf.out", help="output folder (default: cdktf.out)")
    p.add_argument("--force", action="store_true", help="synthesize even when nothing changed")
    p.add_argument("--hcl", action="store_true", help="also write the HCL form to <out>/hcl/<stack>/main.tf")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("registry", help="registry commands")
    rsub = p.add_subparsers(dest="registry_command", required=True)
    p = rsub.add_parser("check", help="validate platform.yaml and print a summary")
    p.add_argument("--platform", help=PLATFORM_HELP)
    p.set_defaults(func=cmd_registry_check)

    p = sub.add_parser("service", help="files for service repositories")
    ssub = p.add_subparsers(dest="service_command", required=True)
    p = ssub.add_parser("backend", help="render backend.tf for SERVICE in ENV")
    p.add_argument("service")
    p.add_argument("env")
    p.add_argument("--platform", help=PLATFORM_HELP)
    p.add_argument("--out", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_service_backend)

    p = sub.add_parser("render", help="render each service repo's files: backend.tf, infra-checks.yml, infracost.yml")
    p.add_argument("--platform", help=PLATFORM_HELP)
    p.add_argument("--out", default="build/services", help="output folder (default: build/services)")
    p.set_defaults(func=cmd_render)

    _add_modules_parser(sub)
    for name in COMMAND_GROUPS:
        importlib.import_module(name).register(sub)

    p = sub.add_parser("deploy", help="init, plan, confirm and apply one synthesized stack")
    p.add_argument("stack", help="stack name, e.g. state-backend")
    p.add_argument("--env", help="environment of a per-environment stack (deploys <stack>-<env>)")
    p.add_argument("--platform", help=PLATFORM_HELP)
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

    p = sub.add_parser("tf-config", help="write the Terraform CLI config (provider mirror) and print its path")
    p.add_argument("--path", help="where to write it (default: <repo>/build/terraform/cli.tfrc)")
    p.set_defaults(func=cmd_tf_config)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except PlatformError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
