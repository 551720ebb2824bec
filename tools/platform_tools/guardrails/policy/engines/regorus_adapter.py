"""Microsoft's regorus (Rego in Rust) through the ``gordon-to-regorus`` wheel: the default engine.

Microsoft does not publish regorus's Python binding on PyPI (microsoft/regorus#168: its publishing pipeline);
``gordon-to-regorus`` is a maintained build of it (docs/guardrails/policy-engines.md says what was checked). The
binding's API is upstream's, so another build of the same binding is a pin change.

Workarounds: answers are read with ``eval_query_as_json`` (the native conversion turns Rego sets of objects into
Python sets and fails: objects are unhashable); an engine object must stay on the thread that made it, so
engines are cached per process (a forked worker inherits the compiled one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import regorus

from platform_tools.guardrails.policy.engines import PolicyEngineError, Results, policy_files, results_query


def _load(modules: list[Path], data: dict[str, Any] | None = None) -> regorus.Engine:
    engine = regorus.Engine()
    try:
        for file in modules:
            engine.add_policy(file.name, file.read_text())
        if data is not None:
            engine.add_data(data)
    except (RuntimeError, ValueError) as err:
        raise PolicyEngineError(f"the Rego engine rejected {modules[-1].parent}: {str(err)[:2000]}") from None
    return engine


def _value(engine: regorus.Engine, query: str) -> Any:
    try:
        answer = json.loads(engine.eval_query_as_json(query))
        results = answer["result"]
    except (RuntimeError, ValueError, KeyError, TypeError) as err:
        raise PolicyEngineError(f"the engine could not answer {query[:200]}: {str(err)[:2000]}") from None
    if not results:
        raise PolicyEngineError(f"the engine found {query[:200]} undefined")
    return results[0]["expressions"][0]["value"]


class RegorusEngine:
    name: ClassVar[str] = "regorus"
    chunk_size: ClassVar[int | None] = None  # linear in the input: one piece per worker

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, str], regorus.Engine] = {}
        self._query = results_query()

    def _engine(self, data: dict[str, Any], policy_dir: Path) -> regorus.Engine:
        key = (str(policy_dir.resolve()), json.dumps(data, sort_keys=True))
        if key not in self._compiled:
            self._compiled.clear()
            self._compiled[key] = _load(policy_files(policy_dir), data)
        return self._compiled[key]

    def evaluate(self, doc: dict[str, Any], data: dict[str, Any], policy_dir: Path) -> Results:
        engine = self._engine(data, policy_dir)
        engine.set_input(doc)
        result: Results = _value(engine, self._query)
        return result

    def evaluate_json(self, text: str, data: dict[str, Any], policy_dir: Path) -> Results:
        engine = self._engine(data, policy_dir)
        try:
            engine.set_input_json(text)
        except (RuntimeError, ValueError) as err:
            raise PolicyEngineError(f"the engine refused the input: {str(err)[:2000]}") from None
        result: Results = _value(engine, self._query)
        return result

    def query(self, modules: list[Path], query: str, *, data: dict[str, Any] | None = None, doc: Any = None) -> Any:
        engine = _load(modules, data)
        if doc is not None:
            engine.set_input(doc)
        return _value(engine, query)

    def clear_cache(self) -> None:
        self._compiled.clear()


ENGINE = RegorusEngine()
