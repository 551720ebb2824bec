"""Imports point one way: ``platform_constructs`` <- ``platform_stacks`` <- ``platform_tools`` (DESIGN.md).

Every import statement of every source file is read from the AST, including imports inside functions (the
lazy ones run too), with relative imports resolved (:mod:`support.imports`).
The guardrails and the GitHub client are held tighter: they run in a service repo's CI from the light install, so
from the construct library they may use only the registry and the errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from support.env import REPO
from support.imports import ROOTS, imports, module_name, sources


@dataclass(frozen=True)
class Layer:
    """Modules under ``package`` may import, of this project's modules, only those under ``allowed``."""

    package: str
    allowed: tuple[str, ...]


LAYERS = (
    Layer("platform_constructs", ("platform_constructs",)),
    Layer("platform_stacks", ("platform_constructs", "platform_stacks")),
    Layer(
        "platform_tools.guardrails",
        (
            "platform_constructs.registry",
            "platform_constructs.errors",
            "platform_tools.guardrails",
            "platform_tools.github",
            "platform_tools.resources",
        ),
    ),
    Layer("platform_tools.github", ("platform_constructs.errors", "platform_tools.github")),
    Layer("platform_tools.resources", ("platform_constructs.errors", "platform_constructs.paths")),
)
OURS = tuple(ROOTS)


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def violations(path: Path, source: str) -> list[str]:
    name = module_name(path)
    found = []
    for layer in LAYERS:
        if not within(name, layer.package):
            continue
        for line, target in imports(path, source):
            if target.split(".")[0] not in OURS:
                continue
            if not any(within(target, allowed) for allowed in layer.allowed):
                found.append(f"{path.relative_to(REPO)}:{line}: {name} imports {target} (layer {layer.package})")
    return found


def test_every_layer_imports_only_what_it_may() -> None:
    found = [v for path in sources() for v in violations(path, path.read_text())]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    "relative, source, culprit",
    [
        (
            "constructs/platform_constructs/naming.py",
            "def f():\n    from platform_tools.cli import main\n",
            "platform_tools",
        ),
        ("stacks/platform_stacks/app.py", "from platform_tools import resources\n", "platform_tools.resources"),
        ("tools/platform_tools/guardrails/cost.py", "import platform_constructs.engine.core\n", "engine"),
        ("tools/platform_tools/guardrails/report/model.py", "from ...release import version\n", "release"),
        ("tools/platform_tools/github/client.py", "from platform_tools.guardrails import cis\n", "guardrails"),
    ],
)
def test_the_check_sees_lazy_relative_and_plain_imports(relative: str, source: str, culprit: str) -> None:
    found = violations(REPO / relative, source)
    assert found and culprit in found[0], found


def test_the_check_covers_every_source_file() -> None:
    names = {module_name(p) for p in sources()}
    assert {"platform_tools.guardrails.policy.engines", "platform_stacks.app", "platform_constructs.rules"} <= names
    assert len(names) > 100
