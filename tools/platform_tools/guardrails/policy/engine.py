"""The Rego engine adapter: rego-cpp through ``regopy`` (load policies and data, set the input, query, parse).

Everything engine-specific stays here, so nothing else knows which engine runs: the workaround for rego-cpp's
unescaped strings (private-use code points swapped in and out), the compiled-bundle cache, the query that
collects every namespace's ``deny`` and ``warn`` sets. The policies themselves are plain Rego that conftest runs
unchanged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from platform_constructs.errors import PlatformError
from platform_tools.resources import policy_dir as default_policy_dir

#: the policy packages that produce results, in report order
NAMESPACES = ("tags", "naming", "security_groups", "public_resources", "exceptions")


class PolicyEngineError(PlatformError):
    """The Rego engine refused the policies or the query: a defect in policy/, not in the user's plan."""

    exit_code = 1


def policy_files(policy_dir: Path | None = None, *, tests: bool = False) -> list[Path]:
    files = sorted((policy_dir or default_policy_dir()).glob("*.rego"))
    return [f for f in files if f.name.endswith("_test.rego") == tests or (tests and not f.name.endswith("_test.rego"))]


def _query() -> str:
    # partial-set rules are defined (empty) even without results; exceptions.rego has no warn rules
    parts = ", ".join(
        f'"{ns}": {{"deny": data.{ns}.deny, "warn": ' + ("set()" if ns == "exceptions" else f"data.{ns}.warn") + "}"
        for ns in NAMESPACES
    )
    return f"x = {{{parts}}}"


def _interpreter(data: dict[str, Any], policy_dir: Path, *, tests: bool = False) -> Any:
    from regopy import Interpreter, RegoError

    rego = Interpreter()
    try:
        for file in policy_files(policy_dir, tests=tests):
            rego.add_module(file.name, file.read_text())
        rego.add_data(data)
    except RegoError as err:
        raise PolicyEngineError(f"the Rego engine rejected {policy_dir}: {str(err)[:2000]}") from None
    return rego


_BUNDLES: dict[tuple[str, str], Any] = {}

# rego-cpp (regopy 1.5) writes strings into its JSON answer without escaping quotes, backslashes or control
# characters, so one for_each address such as aws_x.y["a"] makes the whole answer unreadable. Every string
# therefore crosses the engine with those characters swapped for private-use code points, and back. The
# policies never look for these characters, and exception patterns (data) are swapped the same way.
_SWAPS = {'"': "\ue000", "\\": "\ue001", **{chr(c): chr(0xE100 + c) for c in range(0x20)}}
_TO_ENGINE = str.maketrans(_SWAPS)
_FROM_ENGINE = str.maketrans({v: k for k, v in _SWAPS.items()})
_ESCAPED_IN_JSON = re.compile(r'\\["\\bfnrtu]')


def _swap(value: Any, table: dict[int, str]) -> Any:
    if isinstance(value, str):
        return value.translate(table)
    if isinstance(value, dict):
        return {_swap(k, table): _swap(v, table) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_swap(v, table) for v in value]
    return value


def to_engine(value: Any) -> Any:
    """``value`` with engine-unsafe characters swapped out (unchanged, and not copied, when it has none)."""
    if not _ESCAPED_IN_JSON.search(json.dumps(value, ensure_ascii=False)):
        return value
    return _swap(value, _TO_ENGINE)


def from_engine(value: Any) -> Any:
    return _swap(value, _FROM_ENGINE)


def _bundle(data: dict[str, Any], policy_dir: Path) -> Any:
    """One compiled bundle per (policies, data): compiling costs more than evaluating a small chunk."""
    key = (str(policy_dir.resolve()), json.dumps(data, sort_keys=True))
    if key not in _BUNDLES:
        rego = _interpreter(to_engine(data), policy_dir)
        bundle = rego.build(_query(), [])
        if not bundle.ok():
            raise PolicyEngineError(f"could not compile the policies in {policy_dir}")
        _BUNDLES.clear()
        _BUNDLES[key] = bundle
    return _BUNDLES[key]


def evaluate(doc: dict[str, Any], data: dict[str, Any], policy_dir: Path) -> dict[str, dict[str, list[Any]]]:
    from regopy import Input, Interpreter

    bundle = _bundle(data, policy_dir)
    rego = Interpreter()
    rego.set_input(Input(to_engine(doc)))
    try:
        text = str(rego.query_bundle(bundle))
        parsed = json.loads(text)
        result: dict[str, dict[str, list[Any]]] = from_engine(parsed["bindings"]["x"])
    except (ValueError, KeyError, TypeError) as err:
        raise PolicyEngineError(f"unexpected engine output: {str(err)[:2000]}") from None
    return result


def clear_cache() -> None:
    """Forget compiled bundles (the benchmark measures a cold start)."""
    _BUNDLES.clear()
