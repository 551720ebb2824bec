"""Run a GitHub Actions job's ``run:`` steps from the workflow YAML, the way the runner does.

What the runner does and this module repeats: ``${{ ... }}`` expressions in ``run`` and ``env`` are substituted
before the step starts; the script runs as ``bash --noprofile --norc -eo pipefail``; the step's ``env`` is laid
over the job's and the workflow's; ``$GITHUB_OUTPUT``, ``$GITHUB_PATH``, ``$GITHUB_STEP_SUMMARY`` and
``$RUNNER_TEMP`` are real files and folders, and what a step adds to ``$GITHUB_PATH`` is on the ``PATH`` of the
steps after it (the latest first); a step's ``if:`` decides whether it runs. Only the expressions and output forms
the platform's workflows use are understood (context lookups, ``||``, ``always()``; ``name=value`` outputs);
anything else raises, so a new construct in the workflow fails the test instead of running differently than on
GitHub.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from support.env import REPO

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_PATH = re.compile(r"^[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*$")


class UnsupportedExpressionError(ValueError):
    """An expression this runner does not evaluate (so the test fails instead of diverging from GitHub)."""


@dataclass
class Job:
    """One job of a workflow file, with the contexts its expressions read."""

    workflow: Path
    job: str
    inputs: dict[str, Any] = field(default_factory=dict)
    github: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    workspace: Path = Path()

    def __post_init__(self) -> None:
        self.doc = yaml.safe_load(self.workflow.read_text())
        declared = self.doc[True]["workflow_call"]["inputs"]  # YAML 1.1 reads `on` as True
        unknown = set(self.inputs) - set(declared)
        if unknown:
            raise KeyError(f"inputs not declared by the workflow: {sorted(unknown)}")
        self.inputs = {**{k: v.get("default") for k, v in declared.items()}, **self.inputs}
        self.outputs: dict[str, dict[str, str]] = {}

    @property
    def steps(self) -> list[dict[str, Any]]:
        steps: list[dict[str, Any]] = self.doc["jobs"][self.job]["steps"]
        return steps

    def step(self, name: str) -> dict[str, Any]:
        return next(s for s in self.steps if s.get("name") == name)

    # -- expressions ----------------------------------------------------------------------------------
    def _context(self, env: Mapping[str, str]) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "github": {"workspace": str(self.workspace), **self.github},
            "secrets": self.secrets,
            "env": dict(env),
            "steps": {k: {"outputs": v} for k, v in self.outputs.items()},
        }

    def evaluate(self, expr: str, env: Mapping[str, str]) -> Any:
        expr = expr.strip()
        if "||" in expr:
            for part in expr.split("||"):
                value = self.evaluate(part, env)
                if value not in (None, "", False, 0):
                    return value
            return value
        if expr == "always()":
            return True
        if expr in ("true", "false"):
            return expr == "true"
        if not _PATH.match(expr):
            raise UnsupportedExpressionError(expr)
        value: Any = self._context(env)
        for part in expr.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return value

    def substitute(self, text: str, env: Mapping[str, str]) -> str:
        def one(m: re.Match[str]) -> str:
            value = self.evaluate(m.group(1), env)
            if isinstance(value, bool):
                return "true" if value else "false"
            return "" if value is None else str(value)

        return _EXPR.sub(one, text)

    def runs(self, step: Mapping[str, Any], env: Mapping[str, str]) -> bool:
        condition = step.get("if")
        if condition is None:
            return True
        text = str(condition)
        match = _EXPR.fullmatch(text.strip())
        return bool(self.evaluate(match.group(1) if match else text, env))

    # -- running ---------------------------------------------------------------------------------------
    def run(self, name: str, base_env: Mapping[str, str], runner_temp: Path) -> subprocess.CompletedProcess[str]:
        """Run the step called ``name`` from the YAML; returns the finished process (never raises on failure)."""
        step = self.step(name)
        if "run" not in step:
            raise ValueError(f"step {name!r} uses an action; the test must do its work itself")
        workflow_env = {k: self.substitute(str(v), base_env) for k, v in (self.doc.get("env") or {}).items()}
        env = {**base_env, **workflow_env}
        env.update({k: self.substitute(str(v), env) for k, v in (step.get("env") or {}).items()})
        output = runner_temp / f"output-{len(self.outputs)}"
        output.write_text("")
        added = runner_temp / "path"
        if added.is_file():
            env["PATH"] = os.pathsep.join([*reversed(added.read_text().splitlines()), env["PATH"]])
        env.update(
            GITHUB_OUTPUT=str(output),
            GITHUB_PATH=str(added),
            GITHUB_STEP_SUMMARY=str(runner_temp / "summary.md"),
            RUNNER_TEMP=str(runner_temp),
            GITHUB_WORKSPACE=str(self.workspace),
        )
        script = self.substitute(step["run"], env)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=self.workspace,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        if "id" in step:
            self.outputs[step["id"]] = _outputs(output.read_text())
        return proc


def _outputs(text: str) -> dict[str, str]:
    """``name=value`` lines; the multi-line form (``name<<DELIMITER``) is not read here, so it raises."""
    out = {}
    for line in text.splitlines():
        if not line:
            continue
        name, sep, value = line.partition("=")
        if not sep or "<<" in name:
            raise UnsupportedExpressionError(f"step output line {line!r}: only name=value is read")
        out[name] = value
    return out


def clean_env(path: list[Path], **extra: str) -> dict[str, str]:
    """A runner-like environment: only PATH (``path`` first), HOME, LANG and ``extra``; nothing of this checkout."""
    system = [
        entry
        for entry in os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin").split(os.pathsep)
        if entry and not Path(entry).resolve().is_relative_to(REPO)  # no venv of this checkout
    ]
    return {
        "PATH": os.pathsep.join([*(str(p) for p in path), *system]),
        "HOME": os.environ.get("HOME", "/root"),
        "LANG": "C.UTF-8",
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        **extra,
    }
