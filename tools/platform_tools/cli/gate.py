"""``infra gate settings|preflight|skips|verify-plan``: the trusted steps of the service-PR workflow.

``settings`` turns the caller's one input (the service name) into every value the verdict depends on, from
``platform.yaml`` at the pinned platform commit, after checking the repository is the service's own.
``preflight`` parses the PR's Terraform as data and refuses what would run code in the plan job. ``skips``
audits inline scanner skips. ``verify-plan`` checks the untrusted plan job's JSON before anything reads it.
Findings are written in the policy runner's conftest JSON, which the PR comment already lists.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from platform_tools.cli.common import add_platform_option, registry_path

if TYPE_CHECKING:
    from platform_constructs.registry import Registry
    from platform_tools.gate.settings import GateSettings


def _settings(args: argparse.Namespace) -> tuple[Registry, GateSettings]:
    from platform_constructs.registry import load_registry
    from platform_tools.gate.settings import gate_settings

    registry = load_registry(registry_path(args.platform))
    return registry, gate_settings(registry, args.service, args.repository)


def cmd_settings(args: argparse.Namespace) -> int:
    from platform_tools.gate.cli_config import cli_config
    from platform_tools.service_files.infracost_config import render_infracost_config

    registry, settings = _settings(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "settings.json").write_text(settings.to_json() + "\n")
    (out / "infracost.yml").write_text(render_infracost_config(registry, settings.service))
    # a self-hosted runner with a provider mirror (and the tests) name it in $INFRA_PROVIDER_MIRROR
    mirror_dir = args.provider_mirror or os.environ.get("INFRA_PROVIDER_MIRROR")
    mirror = Path(mirror_dir).resolve() if mirror_dir else None
    (out / "terraform.rc").write_text(cli_config(settings, mirror))
    target = args.github_output or os.environ.get("GITHUB_OUTPUT")
    lines = [f"{k}={v}" for k, v in settings.outputs().items()]
    if any("\n" in line for line in lines):  # values are pattern-checked by the registry; belt and braces
        raise ValueError("a setting holds a line break")
    if target:
        with open(target, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


def cmd_preflight(args: argparse.Namespace) -> int:
    from platform_tools.gate.findings import write_conftest
    from platform_tools.gate.preflight import run_preflight

    _, settings = _settings(args)
    result = run_preflight(Path(args.repo), settings)
    write_conftest(
        Path(args.out), "gate.preflight", "pre-flight (before terraform init)", result.findings, result.files
    )
    for f in result.findings:
        print(f"::error::pre-flight: {f.message} fix: {f.fix}")
    if not result.ok:
        print(f"pre-flight refused: {len(result.findings)} finding(s); the plan job does not run", file=sys.stderr)
        return 3
    print(f"pre-flight ok: {result.files} Terraform file(s), nothing that runs code at plan time")
    return 0


def cmd_skips(args: argparse.Namespace) -> int:
    from platform_tools.gate.findings import write_conftest
    from platform_tools.gate.inline_skips import audit_inline_skips

    findings, checked = audit_inline_skips(Path(args.repo), args.service)
    write_conftest(Path(args.out), "gate.inline_skips", "inline scanner skips", findings, checked)
    for f in findings:
        print(f"::{'error' if f.blocking else 'warning'}::{f.message}")
    return 3 if any(f.blocking for f in findings) else 0


def cmd_verify_plan(args: argparse.Namespace) -> int:
    from platform_tools.gate.plan_file import check_plan_file

    bad = 0
    for name in args.plans:
        path = Path(name)
        if not path.exists():
            continue
        check = check_plan_file(path)
        if check.ok:
            print(f"plan ok: {path}")
            continue
        bad += 1
        print(f"::error::{path.name} {check.problem}: removed, so the policy check of it shows as not run")
        path.unlink()
    return 3 if bad else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("gate", help="the trusted steps of the service-PR check (settings, pre-flight, audits)")
    gsub = p.add_subparsers(dest="gate_command", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        add_platform_option(q)
        q.add_argument("--service", required=True, help="the service whose PR is checked (from the caller)")
        q.add_argument(
            "--repository", required=True, help="owner/name of the repository running the check (github.repository)"
        )

    q = gsub.add_parser("settings", help="the check's settings from platform.yaml; refuses a foreign repository")
    common(q)
    q.add_argument("--out", required=True, help="folder for settings.json, infracost.yml and terraform.rc")
    q.add_argument(
        "--provider-mirror",
        help="a filesystem provider mirror for terraform.rc (default: $INFRA_PROVIDER_MIRROR, else the registry)",
    )
    q.add_argument("--github-output", help="file to append name=value outputs to (default: $GITHUB_OUTPUT)")
    q.set_defaults(func=cmd_settings)

    q = gsub.add_parser("preflight", help="refuse Terraform that would run code in the plan job (exit 3)")
    common(q)
    q.add_argument("repo", help="the service repository's checkout")
    q.add_argument("--out", required=True, help="conftest JSON of the findings")
    q.set_defaults(func=cmd_preflight)

    q = gsub.add_parser("skips", help="unregistered inline scanner skips in a service repository (exit 3)")
    q.add_argument("repo", help="the service repository's checkout")
    q.add_argument("--service", required=True)
    q.add_argument("--out", required=True, help="conftest JSON of the findings")
    q.set_defaults(func=cmd_skips)

    q = gsub.add_parser("verify-plan", help="check untrusted plan JSON files; remove the ones that fail (exit 3)")
    q.add_argument("plans", nargs="+")
    q.set_defaults(func=cmd_verify_plan)
