"""The Rego engines behind the policy runner, and the one place that chooses between them.

An engine is a small adapter (:class:`Engine`): load the policies and the data, set the input, query, return
parsed JSON. Each adapter carries its own workarounds; nothing outside ``engines/`` knows which engine runs.

- ``regorus`` (default): Microsoft's Rust implementation of Rego, through the ``gordon-to-regorus`` wheel.
- ``regopy``: rego-cpp's Python binding, the engine the policies were first written against; the suite runs
  every policy test and fixture on both and requires identical results (docs/guardrails/policy-engines.md).

Choose with ``--engine`` on ``infra policy check|test``, or ``$INFRA_REGO_ENGINE``; the flag wins.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any, ClassVar, Protocol

from platform_constructs.errors import ConfigError, PlatformError, Problem
from platform_tools.resources import policy_dir as default_policy_dir

ENV_VAR = "INFRA_REGO_ENGINE"
DEFAULT = "regorus"
#: engine name -> (adapter module, distribution that provides the engine)
ADAPTERS: dict[str, tuple[str, str]] = {
    "regorus": ("platform_tools.guardrails.policy.engines.regorus_adapter", "gordon-to-regorus"),
    "regopy": ("platform_tools.guardrails.policy.engines.regopy_adapter", "regopy"),
}
#: the policy packages that produce results, in report order
NAMESPACES = ("tags", "naming", "unique_names", "security_groups", "public_resources", "sources", "exceptions")

#: namespaces without warn rules: nothing to query (unique_names: no exception applies, so none is shown as a warning)
NO_WARN = ("exceptions", "unique_names")

Results = dict[str, dict[str, list[Any]]]


class PolicyEngineError(PlatformError):
    """The Rego engine refused the policies or the query: a defect in policy/, not in the user's plan."""

    exit_code = 1


class Engine(Protocol):
    name: ClassVar[str]
    #: evaluate views in pieces of at most this many resources (an engine whose cost grows faster than linearly
    #: with the input); None: one piece per worker
    chunk_size: ClassVar[int | None]

    def evaluate(self, doc: dict[str, Any], data: dict[str, Any], policy_dir: Path) -> Results:
        """``{namespace: {"deny": [...], "warn": [...]}}`` for one input document."""

    def evaluate_json(self, text: str, data: dict[str, Any], policy_dir: Path) -> Results:
        """:meth:`evaluate` of an input document given as JSON text (an engine may parse it faster itself)."""

    def query(self, modules: list[Path], query: str, *, data: dict[str, Any] | None = None, doc: Any = None) -> Any:
        """The value of ``query`` (an expression) with ``modules``, ``data`` and the input ``doc`` loaded, in a
        fresh engine: the policies' own unit tests query their package whole with it."""

    def clear_cache(self) -> None:
        """Forget the compiled policies, so that the next evaluation pays the compile again (the benchmark's cold
        figure)."""


def policy_files(policy_dir: Path | None = None, *, tests: bool = False) -> list[Path]:
    """The policies (``tests=False``), or every ``.rego`` file including the ``*_test.rego`` ones."""
    files = sorted((policy_dir or default_policy_dir()).glob("*.rego"))
    return [f for f in files if tests or not f.name.endswith("_test.rego")]


def results_query() -> str:
    """One object with every namespace's deny and warn sets (partial-set rules are defined, empty, without
    results; exceptions.rego and unique_names.rego have no warn rules)."""
    parts = ", ".join(
        f'"{ns}": {{"deny": data.{ns}.deny, "warn": ' + ("set()" if ns in NO_WARN else f"data.{ns}.warn") + "}"
        for ns in NAMESPACES
    )
    return f"{{{parts}}}"


_LOADED: dict[str, Engine] = {}


def select(name: str | Engine | None = None, *, field: str = "--engine") -> Engine:
    """The engine called ``name``, else ``$INFRA_REGO_ENGINE``, else :data:`DEFAULT`; an engine is returned as is."""
    if name is not None and not isinstance(name, str):
        return name
    chosen = name or os.environ.get(ENV_VAR) or DEFAULT
    source = field if name else (ENV_VAR if os.environ.get(ENV_VAR) else "default engine")
    if chosen not in ADAPTERS:
        raise ConfigError(
            "policy engine",
            [Problem(source, "is not a Rego engine the runner knows", chosen, f"use one of {', '.join(ADAPTERS)}")],
        )
    if chosen not in _LOADED:
        module, distribution = ADAPTERS[chosen]
        try:
            adapter = importlib.import_module(module)
        except ModuleNotFoundError as err:
            raise ConfigError(
                "policy engine",
                [
                    Problem(
                        source,
                        f"needs the {distribution} package, which is not installed ({err.name})",
                        chosen,
                        f"pip install {distribution} (pinned in requirements.lock), or use {DEFAULT}",
                    )
                ],
            ) from None
        _LOADED[chosen] = adapter.ENGINE
    return _LOADED[chosen]
