"""What several command groups share: how a command finds the registry, and argument types.

One rule for the registry, shared with make and the cdktf app: ``--platform FILE`` if given, else
``$INFRA_PLATFORM``, else ``./platform.yaml`` when the working directory has one (the organisation's registry),
else the registry embedded in the package (org ``acme``).
"""

from __future__ import annotations

import argparse
import datetime as dt
from decimal import Decimal, InvalidOperation

PLATFORM_HELP = "registry file (default: $INFRA_PLATFORM, else ./platform.yaml if present, else the embedded default)"


def registry_path(value: str | None) -> str | None:
    """The registry a command reads: ``--platform``, else ``$INFRA_PLATFORM``, else ``./platform.yaml``, else None
    (the embedded one)."""
    from platform_constructs.registry.loader import resolve_registry_path

    return resolve_registry_path(value)


def add_platform_option(parser: argparse.ArgumentParser, help: str = PLATFORM_HELP) -> None:
    parser.add_argument("--platform", help=help)


def iso_date(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date YYYY-MM-DD: {value!r}") from None
    return value


def decimal(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except (ArithmeticError, InvalidOperation):
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise argparse.ArgumentTypeError(f"not a finite number: {value!r}")
    return number
