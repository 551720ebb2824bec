"""``infra service backend`` (one backend.tf) and ``infra render`` (every service repo's files and the GitHub
rulesets that make the PR gate binding)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from platform_tools.cli.common import add_platform_option, registry_path


def write_or_print(text: str, out: str | None) -> None:
    """``text`` to the file ``out`` (its folder created), or to stdout."""
    if out:
        path = Path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def cmd_service_backend(args: argparse.Namespace) -> int:
    from platform_constructs.registry import load_registry
    from platform_tools.service_files.backend import backend_tf

    write_or_print(backend_tf(load_registry(registry_path(args.platform)), args.service, args.env), args.out)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    from platform_constructs.registry import load_registry
    from platform_tools.service_files.github_settings import APPLY_SCRIPT, render_github_files
    from platform_tools.service_files.render import render_service_files

    registry = load_registry(registry_path(args.platform))
    written = render_service_files(registry, Path(args.out))
    print(f"rendered {len(written)} files (backend.tf, infra-checks.yml, infracost.yml, CODEOWNERS) under {args.out}/")
    settings = render_github_files(registry, Path(args.github_out))
    print(f"rendered {len(settings)} files (rulesets, APPLY.md, {APPLY_SCRIPT}) under {args.github_out}/")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("service", help="files for service repositories")
    ssub = p.add_subparsers(dest="service_command", required=True)
    p = ssub.add_parser("backend", help="render backend.tf for SERVICE in ENV")
    p.add_argument("service")
    p.add_argument("env")
    add_platform_option(p)
    p.add_argument("--out", help="write to this file instead of stdout")
    p.set_defaults(func=cmd_service_backend)

    p = sub.add_parser(
        "render",
        help="render each service repo's files (backend.tf, infra-checks.yml, infracost.yml, CODEOWNERS) and the "
        "GitHub rulesets a platform admin applies",
    )
    add_platform_option(p)
    p.add_argument("--out", default="build/services", help="output folder (default: build/services)")
    p.add_argument(
        "--github-out",
        default="build/github",
        help="folder for the rulesets, APPLY.md and apply-rulesets.sh (default: build/github)",
    )
    p.set_defaults(func=cmd_render)
