"""Run a GitHub Actions workflow from its YAML, job by job and step by step, the way GitHub's runner does.

What GitHub does and this module repeats, because the guardrail workflow's security rests on it:

- **Jobs** run in ``needs`` order; a job whose ``if:`` is false (default: every needed job succeeded) is
  *skipped*, and GitHub reports a skipped job's check as passing, so tests assert on job results.
- **Isolation**: every job gets its own workspace, ``$RUNNER_TEMP`` and ``$HOME``; nothing passes between jobs
  except job outputs and artifacts (``actions/upload-artifact`` / ``download-artifact``, immutable per name).
- **Permissions**: a job's ``permissions`` (else the workflow's) decide its token: only a job granted
  ``pull-requests: write`` gets a token the local GitHub accepts; ``id-token: write`` alone makes the OIDC
  request variables exist. A called workflow's job may not ask for more than its caller's job grants.
- **Steps**: ``${{ }}`` expressions are substituted before a step starts; ``run`` scripts run as
  ``bash --noprofile --norc -eo pipefail``; ``env`` is workflow, then job, then step; ``$GITHUB_OUTPUT``,
  ``$GITHUB_ENV``, ``$GITHUB_PATH`` and ``$GITHUB_STEP_SUMMARY`` are real files; a failed step skips the rest
  unless their ``if:`` says ``always()``/``failure()``. Secrets reach a step only where the YAML maps them.
- **Actions** (``uses:``) are stood in by local equivalents the test registers by ``owner/name``; a step the
  machine cannot run (a download) is replaced by a function registered under the step's name. Anything else
  raises, as does any expression form the evaluator does not know, so a new construct in a workflow fails the
  test instead of running differently than on GitHub.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from support.env import REPO

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}", re.S)
_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||<=|>=|[!()<>,.\[\]])"
    r"|(?P<name>[A-Za-z_][\w-]*))"
)
_STATUS_FUNCTIONS = ("always", "success", "failure", "cancelled")


class UnsupportedExpressionError(ValueError):
    """An expression or output form this runner does not evaluate (the test fails instead of diverging)."""


class StepFailedError(RuntimeError):
    """A local action or replacement failed the step (its message goes to the step's log)."""


# -- expressions ------------------------------------------------------------------------------------------
def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "", -0.0)


def _equal(a: Any, b: Any) -> bool:
    """GitHub's ``==``: strings compare ignoring case; a number and a string compare as numbers."""
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or a == b
    if isinstance(a, (int, float)) and isinstance(b, str):
        try:
            return float(b) == a
        except ValueError:
            return False
    if isinstance(b, (int, float)) and isinstance(a, str):
        return _equal(b, a)
    return bool(a == b)


class _Parser:
    """Recursive descent over GitHub's expression grammar (the subset the platform's workflows use)."""

    def __init__(self, text: str, context: Mapping[str, Any], status: Mapping[str, bool]) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise UnsupportedExpressionError(text)
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i = 0
        self.context = context
        self.status = status
        self.text = text

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            raise UnsupportedExpressionError(self.text)
        self.i += 1
        return tok

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise UnsupportedExpressionError(self.text)
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            value = value if _truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.cmp()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.cmp()
            value = right if _truthy(value) else value
        return value

    def cmp(self) -> Any:
        value = self.unary()
        while (tok := self.peek()) is not None and tok[1] in ("==", "!="):
            self.take()
            right = self.unary()
            value = _equal(value, right) if tok[1] == "==" else not _equal(value, right)
        return value

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not _truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "op" and text == "(":
            value = self.or_()
            self.take(")")
            return value
        if kind == "num":
            return float(text) if "." in text else int(text)
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if kind != "name":
            raise UnsupportedExpressionError(self.text)
        if text in ("true", "false"):
            return text == "true"
        if text == "null":
            return None
        if self.peek() == ("op", "("):
            return self.call(text)
        value: Any = self.context.get(text)
        while self.peek() == ("op", "."):
            self.take()
            _, key = self.take()
            value = value.get(key) if isinstance(value, Mapping) else None
        return value

    def call(self, name: str) -> Any:
        self.take("(")
        args = []
        while self.peek() != ("op", ")"):
            args.append(self.or_())
            if self.peek() == ("op", ","):
                self.take()
        self.take(")")
        if name in _STATUS_FUNCTIONS and not args:
            return self.status[name]
        if name == "contains" and len(args) == 2:
            hay, needle = args
            if isinstance(hay, list):
                return any(_equal(h, needle) for h in hay)
            return str(needle).lower() in str(hay).lower()
        if name == "startsWith" and len(args) == 2:
            return str(args[0]).lower().startswith(str(args[1]).lower())
        raise UnsupportedExpressionError(f"{name}(...)")


def evaluate(expr: str, context: Mapping[str, Any], status: Mapping[str, bool] | None = None) -> Any:
    status = status or {"always": True, "success": True, "failure": False, "cancelled": False}
    return _Parser(expr, context, status).parse()


def substitute(text: str, context: Mapping[str, Any]) -> str:
    def one(m: re.Match[str]) -> str:
        value = evaluate(m.group(1), context)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (dict, list)):
            return json.dumps(value)
        return "" if value is None else str(value)

    return _EXPR.sub(one, text)


def condition(text: Any, context: Mapping[str, Any], status: Mapping[str, bool]) -> bool:
    """An ``if:``: ``${{ }}`` optional; without a status function it means ``success() && (...)``."""
    if text is None:
        return status["success"]
    if isinstance(text, bool):
        return text and status["success"]
    raw = str(text).strip()
    m = _EXPR.fullmatch(raw)
    expr = m.group(1) if m else raw
    if not any(re.search(rf"\b{f}\(", expr) for f in _STATUS_FUNCTIONS):
        expr = f"success() && ({expr})"
    return _truthy(evaluate(expr, context, status))


# -- the run ----------------------------------------------------------------------------------------------
@dataclass
class StepResult:
    name: str
    outcome: str  # success | failure | skipped
    stdout: str = ""
    stderr: str = ""

    @property
    def log(self) -> str:
        return self.stdout + self.stderr


@dataclass
class JobResult:
    job: str
    check: str
    result: str  # success | failure | skipped
    outputs: dict[str, str] = field(default_factory=dict)
    steps: list[StepResult] = field(default_factory=list)
    workspace: Path | None = None
    env: dict[str, str] = field(default_factory=dict)

    def step(self, name: str) -> StepResult:
        return next(s for s in self.steps if s.name == name)

    @property
    def log(self) -> str:
        return "\n".join(f"--- {s.name} [{s.outcome}]\n{s.log}" for s in self.steps)


@dataclass
class StepContext:
    """What a local action or a step replacement sees: its job's folders and environment, its ``with:``."""

    run: WorkflowRun
    job: str
    step: Mapping[str, Any]
    inputs: dict[str, Any]
    env: dict[str, str]
    workspace: Path
    temp: Path
    home: Path

    def add_path(self, directory: Path) -> None:
        with open(self.env["GITHUB_PATH"], "a", encoding="utf-8") as fh:
            fh.write(f"{directory}\n")


Action = Callable[[StepContext], Mapping[str, str] | None]


@dataclass
class WorkflowRun:
    """One run of a reusable workflow (``on: workflow_call``) as a caller job invokes it."""

    workflow: Path
    root: Path
    inputs: dict[str, Any] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    github: dict[str, Any] = field(default_factory=dict)
    #: ``owner/name`` of an action -> its local stand-in
    actions: dict[str, Action] = field(default_factory=dict)
    #: step name -> what runs instead (steps that download from the internet)
    replacements: dict[str, Action] = field(default_factory=dict)
    #: environment every step starts from (PATH, HOME is replaced per job)
    base_env: dict[str, str] = field(default_factory=dict)
    #: the caller job: its id (first half of each check's name) and the permissions it grants
    caller_job: str = "infra-checks"
    caller_permissions: dict[str, str] | None = None
    #: permissions -> the token the job's ``github.token`` is (the local GitHub accepts only some)
    token_for: Callable[[Mapping[str, str]], str] = lambda permissions: ""
    #: job -> (ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN), for jobs granted id-token: write
    oidc: Callable[[str], tuple[str, str]] | None = None

    def __post_init__(self) -> None:
        self.doc = yaml.safe_load(self.workflow.read_text())
        call = self.doc[True]["workflow_call"]  # YAML 1.1 reads `on` as True
        declared = call.get("inputs") or {}
        unknown = set(self.inputs) - set(declared)
        if unknown:  # GitHub refuses the whole run: "Invalid input, ... is not defined in the referenced workflow"
            raise WorkflowRefusedError(f"inputs not declared by the workflow: {sorted(unknown)}")
        missing = [k for k, v in declared.items() if v.get("required") and k not in self.inputs]
        if missing:
            raise WorkflowRefusedError(f"required inputs not given: {missing}")
        self.inputs = {**{k: v.get("default") for k, v in declared.items()}, **self.inputs}
        declared_secrets = call.get("secrets") or {}
        if set(self.secrets) - set(declared_secrets):
            raise WorkflowRefusedError(f"secrets not declared: {sorted(set(self.secrets) - set(declared_secrets))}")
        self.results: dict[str, JobResult] = {}
        self.artifacts = self.root / "artifacts"
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self._check_permissions()

    @property
    def jobs(self) -> dict[str, Any]:
        jobs: dict[str, Any] = self.doc["jobs"]
        return jobs

    def permissions(self, job: str) -> dict[str, str]:
        perms = self.jobs[job].get("permissions", self.doc.get("permissions"))
        if perms is None:
            raise UnsupportedExpressionError(f"job {job} has no permissions: the default token is not modelled")
        if perms in ({}, "none"):
            return {}
        if not isinstance(perms, dict):
            raise UnsupportedExpressionError(f"permissions {perms!r}")
        return {str(k): str(v) for k, v in perms.items() if v != "none"}

    def _check_permissions(self) -> None:
        if self.caller_permissions is None:
            return
        rank = {"none": 0, "read": 1, "write": 2}
        for job in self.jobs:
            for scope, level in self.permissions(job).items():
                granted = self.caller_permissions.get(scope, "none")
                if rank[level] > rank[granted]:
                    raise WorkflowRefusedError(
                        f"The nested job '{job}' is requesting '{scope}: {level}', but is only allowed "
                        f"'{scope}: {granted}'"
                    )

    def order(self) -> list[str]:
        done: list[str] = []
        pending = list(self.jobs)
        while pending:
            for job in pending:
                if all(n in done for n in _needs(self.jobs[job])):
                    done.append(job)
                    pending.remove(job)
                    break
            else:
                raise UnsupportedExpressionError(f"cyclic needs among {pending}")
        return done

    def run(self) -> dict[str, JobResult]:
        for job in self.order():
            self.results[job] = self.run_job(job)
        return self.results

    # -- one job ------------------------------------------------------------------------------------------
    def _context(self, job: str, env: Mapping[str, str], steps: Mapping[str, Any], token: str) -> dict[str, Any]:
        return {
            "inputs": self.inputs,
            "github": {**self.github, "token": token, "workspace": env.get("GITHUB_WORKSPACE", "")},
            "secrets": self.secrets,
            "env": dict(env),
            "steps": steps,
            "needs": {
                n: {"result": self.results[n].result, "outputs": self.results[n].outputs}
                for n in _needs(self.jobs[job])
            },
            "runner": {"temp": env.get("RUNNER_TEMP", ""), "os": "Linux"},
        }

    def run_job(self, job: str) -> JobResult:
        spec = self.jobs[job]
        check = f"{self.caller_job} / {spec.get('name', job)}"
        needs = _needs(spec)
        all_ok = all(self.results[n].result == "success" for n in needs)
        status = {"always": True, "success": all_ok, "failure": not all_ok, "cancelled": False}
        home = self.root / "jobs" / job
        workspace, temp, user_home = home / "work", home / "temp", home / "home"
        for d in (workspace, temp, user_home):
            shutil.rmtree(d, ignore_errors=True)
            d.mkdir(parents=True)
        perms = self.permissions(job)
        token = self.token_for(perms)
        env: dict[str, str] = {
            **self.base_env,
            "HOME": str(user_home),
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(temp),
            "GITHUB_JOB": job,
            "GITHUB_REPOSITORY": str(self.github.get("repository", "")),
            "GITHUB_SHA": str(self.github.get("sha", "")),
            "GITHUB_EVENT_NAME": str(self.github.get("event_name", "")),
            "GITHUB_SERVER_URL": str(self.github.get("server_url", "https://github.com")),
            "GITHUB_API_URL": str(self.github.get("api_url", "")),
            "GITHUB_RUN_ID": str(self.github.get("run_id", "1")),
            "GITHUB_RUN_ATTEMPT": str(self.github.get("run_attempt", "1")),
        }
        event = temp / "event.json"
        event.write_text(json.dumps(self.github.get("event", {})))
        env["GITHUB_EVENT_PATH"] = str(event)
        if perms.get("id-token") == "write" and self.oidc is not None:
            env["ACTIONS_ID_TOKEN_REQUEST_URL"], env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] = self.oidc(job)
        ctx = self._context(job, env, {}, token)
        result = JobResult(job, check, "skipped", workspace=workspace, env=env)
        if not condition(spec.get("if"), ctx, status):
            return result
        for scope in (self.doc.get("env") or {}, spec.get("env") or {}):
            env.update({k: substitute(str(v), self._context(job, env, {}, token)) for k, v in scope.items()})
        step_outputs: dict[str, Any] = {}
        failed = False
        for n, step in enumerate(spec["steps"]):
            name = step.get("name") or step.get("uses") or f"step {n}"
            step_status = {"always": True, "success": not failed, "failure": failed, "cancelled": False}
            ctx = self._context(job, env, step_outputs, token)
            if not condition(step.get("if"), ctx, step_status):
                result.steps.append(StepResult(name, "skipped"))
                continue
            outcome = self._run_step(
                job, step, name, env=env, ctx=ctx, step_outputs=step_outputs, dirs=(workspace, temp, user_home)
            )
            result.steps.append(outcome)
            if outcome.outcome == "failure":
                failed = True
        ctx = self._context(job, env, step_outputs, token)
        result.outputs = {k: substitute(str(v), ctx) for k, v in (spec.get("outputs") or {}).items()}
        result.result = "failure" if failed else "success"
        return result

    def _run_step(
        self,
        job: str,
        step: Mapping[str, Any],
        name: str,
        *,
        env: dict[str, str],
        ctx: Mapping[str, Any],
        step_outputs: dict[str, Any],
        dirs: tuple[Path, Path, Path],
    ) -> StepResult:
        workspace, temp, home = dirs
        step_env = dict(env)
        step_env.update({k: substitute(str(v), ctx) for k, v in (step.get("env") or {}).items()})
        index = len(list(temp.glob("output-*")))
        files = {
            "GITHUB_OUTPUT": temp / f"output-{index}",
            "GITHUB_ENV": temp / f"env-{index}",
            "GITHUB_STEP_SUMMARY": temp / f"summary-{index}.md",
        }
        for key, path in files.items():
            path.write_text("")
            step_env[key] = str(path)
        added = temp / "path"
        added.touch()
        step_env["GITHUB_PATH"] = str(added)
        step_env["PATH"] = os.pathsep.join([*reversed(added.read_text().splitlines()), env["PATH"]])
        stdout = stderr = ""
        ok = True
        replacement = self.replacements.get(name)
        if replacement is not None or "uses" in step:
            action = replacement
            if action is None:
                ref = str(step["uses"])
                owner_name = "/".join(ref.split("@", maxsplit=1)[0].split("/")[:2])
                action = self.actions.get(owner_name)
                if action is None:
                    raise UnsupportedExpressionError(f"no local stand-in for action {ref} (step {name!r})")
            with_ = {k: substitute(str(v), ctx) for k, v in (step.get("with") or {}).items()}
            sctx = StepContext(self, job, step, with_, step_env, workspace, temp, home)
            try:
                produced = action(sctx) or {}
                _append(files["GITHUB_OUTPUT"], produced)
            except StepFailedError as err:
                ok, stderr = False, str(err)
        else:
            script = substitute(str(step["run"]), ctx)
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                cwd=workspace / step.get("working-directory", ""),
                env=step_env,
                capture_output=True,
                text=True,
                check=False,
                timeout=900,
            )
            ok, stdout, stderr = proc.returncode == 0, proc.stdout, proc.stderr
        if "id" in step:
            step_outputs[str(step["id"])] = {"outputs": _outputs(files["GITHUB_OUTPUT"].read_text())}
        env.update(_outputs(files["GITHUB_ENV"].read_text()))
        return StepResult(name, "success" if ok else "failure", stdout, stderr)


class WorkflowRefusedError(RuntimeError):
    """GitHub would not start the run at all (an undeclared input, a job asking for more than the caller grants)."""


def _append(path: Path, values: Mapping[str, str]) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        for k, v in values.items():
            fh.write(f"{k}={v}\n")


def _needs(spec: Mapping[str, Any]) -> list[str]:
    needs = spec.get("needs") or []
    return [needs] if isinstance(needs, str) else list(needs)


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
