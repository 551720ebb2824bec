"""rego-cpp through ``regopy``: the engine the policies were first written against, kept as the second opinion.

Its workarounds live here and nowhere else:

- rego-cpp (regopy 1.5) writes strings into its JSON answer without escaping quotes, backslashes or control
  characters, so one for_each address such as ``aws_x.y["a"]`` makes the whole answer unreadable. Every string
  therefore crosses the engine with those characters swapped for private-use code points, and back. The policies
  never look for these characters, and exception patterns (data) are swapped the same way.
- Its cost grows faster than linearly with the input, so views are evaluated in pieces (:attr:`chunk_size`).
- Compiling costs more than evaluating a small piece: one compiled bundle per (policies, data).
- It crashes when a single test rule is queried or one interpreter answers several test packages: each test
  file gets a fresh interpreter and its package is queried whole.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar

from regopy import Input, Interpreter, RegoError

from platform_tools.guardrails.policy.engines import PolicyEngineError, Results, policy_files, results_query

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


class RegopyEngine:
    name: ClassVar[str] = "regopy"
    chunk_size: ClassVar[int | None] = 1000

    def __init__(self) -> None:
        self._bundles: dict[tuple[str, str], Any] = {}

    def _interpreter(self, modules: list[Path], data: dict[str, Any] | None = None) -> Interpreter:
        rego = Interpreter()
        try:
            for file in modules:
                rego.add_module(file.name, file.read_text())
            if data is not None:
                rego.add_data(to_engine(data))
        except RegoError as err:
            raise PolicyEngineError(f"the Rego engine rejected {modules[-1].parent}: {str(err)[:2000]}") from None
        return rego

    def _bundle(self, data: dict[str, Any], policy_dir: Path) -> Any:
        key = (str(policy_dir.resolve()), json.dumps(data, sort_keys=True))
        if key not in self._bundles:
            bundle = self._interpreter(policy_files(policy_dir), data).build(f"x = {results_query()}", [])
            if not bundle.ok():
                raise PolicyEngineError(f"could not compile the policies in {policy_dir}")
            self._bundles.clear()
            self._bundles[key] = bundle
        return self._bundles[key]

    def evaluate(self, doc: dict[str, Any], data: dict[str, Any], policy_dir: Path) -> Results:
        bundle = self._bundle(data, policy_dir)
        rego = Interpreter()
        rego.set_input(Input(to_engine(doc)))
        try:
            parsed = json.loads(str(rego.query_bundle(bundle)))
            result: Results = from_engine(parsed["bindings"]["x"])
        except (ValueError, KeyError, TypeError) as err:
            raise PolicyEngineError(f"unexpected engine output: {str(err)[:2000]}") from None
        return result

    def evaluate_json(self, text: str, data: dict[str, Any], policy_dir: Path) -> Results:
        return self.evaluate(json.loads(text), data, policy_dir)

    def query(self, modules: list[Path], query: str, *, data: dict[str, Any] | None = None, doc: Any = None) -> Any:
        rego = self._interpreter(modules, data)
        if doc is not None:
            rego.set_input(Input(to_engine(doc)))
        out = str(rego.query(f"x = {query}"))
        try:
            return from_engine(json.loads(out)["bindings"]["x"])
        except (ValueError, KeyError, TypeError):
            raise PolicyEngineError(f"{modules[-1].name}: the engine answered {out[:2000]}") from None

    def clear_cache(self) -> None:
        self._bundles.clear()


ENGINE = RegopyEngine()
