"""The scanner baseline's files (CIS table, skip registry, scanner configs): reading them, and their error.

Every failure is a located problem, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from platform_constructs.errors import ConfigError, Problem, RefusedError


class BaselineError(RefusedError):
    """A skip or ignore breaks the approval rules, or the CIS table is malformed (exit code 3)."""

    outcome = ""

    def __init__(self, problems: Iterable[Problem]):
        super().__init__("scanner baseline", problems)


def read_mapping(path: Path) -> dict[str, Any]:
    """A YAML file that must hold a mapping; a missing or broken file is a located problem."""
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise ConfigError(
            str(path), [Problem(str(path), "file not found", fix="run from the platform repo root or pass --root")]
        ) from None
    except yaml.YAMLError as err:
        raise ConfigError(str(path), [Problem(str(path), f"is not valid YAML: {err}")]) from None
    if not isinstance(data, dict):
        raise ConfigError(str(path), [Problem(str(path), "must be a YAML mapping", type(data).__name__)])
    return data


def as_list(value: object) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value) if isinstance(value, list | tuple) else [value]


#: the one written form of a date in these files; Python's fromisoformat would also take 20271231 or 2027-W52-5,
#: which trivy (Go's 2006-01-02 layout) and the Rego policies (string comparison) do not read as the same day
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: object) -> dt.date | None:
    """A calendar date written YYYY-MM-DD (or a date YAML already parsed), else None: 2027-02-30 and 9999-99-99
    are not dates."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
