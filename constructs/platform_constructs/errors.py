"""Errors that carry every problem found, each naming the field, the value, the rule and the fix.

Validation collects problems instead of stopping at the first one, so a user fixes a file in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: Longest echo of an offending value: a problem names the value so the user can find it, but a registry can hold a
#: 10,000-entry list or a megabyte string, and the report must stay readable.
MAX_VALUE_CHARS = 120


def shown_value(value: object) -> str:
    """``repr(value)`` cut to :data:`MAX_VALUE_CHARS`, saying how long the whole was."""
    written = getattr(value, "text", None) if isinstance(value, int) else None  # a YAML number as written
    text = written if isinstance(written, str) else repr(value)
    if len(text) <= MAX_VALUE_CHARS:
        return text
    return f"{text[:MAX_VALUE_CHARS]}... ({len(text):,} characters)"


#: Most names a summary or a "one of: ..." fix lists before "and N more": a 500-service registry must not print
#: 500 names on one line.
MAX_LISTED = 10


def summarize(names: Iterable[object], limit: int = MAX_LISTED) -> str:
    """``a, b, c`` for short lists; the first ``limit`` and ``and N more`` for long ones."""
    items = [str(name) for name in names]
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


#: Most problems an error message lists: a generated registry with 50,000 bad entries must give a report a person
#: can read (and a terminal can print). The exception keeps every problem in ``problems`` for programs.
MAX_PROBLEMS_SHOWN = 50


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    value: object = None
    fix: str = ""

    def render(self) -> str:
        shown = "" if self.value is None else f" (got {shown_value(self.value)})"
        fix = f"\n      fix: {self.fix}" if self.fix else ""
        return f"  - {self.path}: {self.message}{shown}{fix}"


class PlatformError(Exception):
    """Base class for errors a user can act on; the CLI prints them without a traceback."""

    exit_code = 2


class ConfigError(PlatformError):
    """One or more problems in user input (registry file, construct props, CLI arguments).

    The base of every error that lists problems: subclasses change the exit code, what the headline says
    happened (``outcome``) and a closing line (``footer``), never the shape of the list.
    """

    #: what the headline says happened; empty for checks that write nothing anyway
    outcome = "nothing was written"
    footer = ""

    def __init__(self, source: str, problems: Iterable[Problem]):
        self.source = source
        self.problems = tuple(problems)
        outcome = f", {self.outcome}" if self.outcome else ""
        lines = [f"{source}: {len(self.problems)} problem(s){outcome}:"]
        lines += [p.render() for p in self.problems[:MAX_PROBLEMS_SHOWN]]
        if len(self.problems) > MAX_PROBLEMS_SHOWN:
            hidden = len(self.problems) - MAX_PROBLEMS_SHOWN
            lines.append(f"  ... and {hidden:,} more problem(s) not shown; fix these and run the command again")
        if self.footer:
            lines.append(self.footer)
        super().__init__("\n".join(lines))


class RefusedError(ConfigError):
    """A platform rule refused (exit code 3): the input is well-formed, but what it asks for is not allowed."""

    exit_code = 3


class SynthError(PlatformError):
    """Synthesis produced Terraform that breaks a platform rule (tags, naming, security)."""

    exit_code = 3


def collect(source: str, checks: Iterable[tuple[bool, Problem]]) -> None:
    """Raise one ConfigError with every failed check; a table of rules instead of early returns."""
    problems = [problem for failed, problem in checks if failed]
    if problems:
        raise ConfigError(source, problems)


class TerraformError(PlatformError):
    """A Terraform command failed; its own output has already been shown."""

    exit_code = 4


class DeclinedError(PlatformError):
    """The user answered no at a confirmation prompt."""

    exit_code = 5


class PrerequisiteError(PlatformError):
    """Something the command needs is not there: a tool not installed, no AWS credentials, the wrong account.

    Its own exit code (6), so a script can tell "install or sign in, then run it again" from bad input (2),
    which no amount of retrying fixes.
    """

    exit_code = 6


#: What each exit code means; ``infra`` prints the line when it runs under make, which exits 2 for any failed
#: recipe and so hides the code.
EXIT_MEANINGS = {
    0: "success",
    1: "unexpected error (a bug: please report it)",
    2: "bad input (registry, arguments, a path)",
    3: "a platform rule refused",
    4: "Terraform failed",
    5: "the confirmation was declined",
    6: "a prerequisite is missing (a tool, credentials, the right account)",
    130: "interrupted",
}
