"""One big plan, checked in two processes from the start: the CLI's path to half a second for 10,000 resources.

Of a cold ``infra policy check`` of a 10,000-resource plan, about a third is fixed cost (Python, then loading and
validating the registry) and the rest grows with the plan (JSON, the view, the engine). The two do not depend on
each other until the engine runs, so they run side by side:

- a worker forked at the start reads the plan, splits it in two (:func:`~.view.split_plan`: the pieces
  :func:`~.view.chunks` would make), builds the first half's view and sends it to this process as JSON text (the
  engine takes JSON directly), then builds the second half's view for itself;
- this process meanwhile builds the data document (the registry), sends it to the worker, and evaluates its half
  while the worker evaluates the other; then the halves are merged.

Each half reaches the engine in the pieces :func:`~.runner.pieces` makes, as on the plain path: whole for an
engine linear in its input, in the engine's own size otherwise (regopy's cost and memory grow faster than
linearly: given halves whole, it took 1.6x the time and 2.7x the memory of the plain path at 30,000 resources).

Errors keep their meaning: a bad registry is raised here as always (the worker is stopped); a plan that is not a
plan comes back from the worker as the same :class:`ConfigError`; anything unexpected in the worker is a
:class:`~.parallel.WorkerError` with its traceback. Small plans, and machines without ``fork``, take the plain
path (:func:`~.runner.check_plan`).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from platform_constructs.errors import ConfigError, Problem
from platform_tools.guardrails.policy.engines import Engine
from platform_tools.guardrails.policy.parallel import WorkerError

#: plans at least this big (bytes of JSON, about 2,500 resources) are worth a second process
PIPELINE_BYTES = 2_000_000
#: the parts of the plan this process and the worker judge: the worker also reads the plan and builds both views
#: (measured: the two finish together at about 60/40)
PARENT_SHARE = (0.6, 0.4)
#: the first character of the worker's first answer: the engine inputs follow as JSON documents, one a line
#: (``json.dumps`` escapes every newline inside a document), or the plan's problems
INPUT, REFUSED = "I", "R"


def pipelined(file: Path) -> bool:
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and file.stat().st_size >= PIPELINE_BYTES


def _read_all(fd: int) -> str:
    with os.fdopen(fd, "r", encoding="utf-8") as stream:
        return stream.read()


def _write_all(fd: int, text: str) -> None:
    with os.fdopen(fd, "w", encoding="utf-8") as stream:
        stream.write(text)


def _worker(file: Path, rego: Engine, policy_dir: Path, *, to_parent: int, from_parent: int, results: int) -> int:
    from platform_tools.guardrails.policy.runner import load_document, pieces
    from platform_tools.guardrails.policy.view import split_plan, view

    try:
        plan = load_document(file)
        halves = split_plan(plan, 2, PARENT_SHARE)
        # names are compared across the whole plan: the first half carries every named resource, the other none
        first = view(halves[0], named_from=plan)
        inputs = [json.dumps({"platform_view": piece}) for piece in pieces(first, rego)]
        _write_all(to_parent, INPUT + "\n".join(inputs))
    except ConfigError as err:
        problems = [{"path": p.path, "message": p.message, "value": p.value, "fix": p.fix} for p in err.problems]
        _write_all(to_parent, REFUSED + json.dumps({"source": err.source, "problems": problems}, default=str))
        return 0
    text = _read_all(from_parent)
    if not text:  # this process gave up (a bad registry): nothing to evaluate
        return 0
    data = json.loads(text)
    theirs = [
        rego.evaluate({"platform_view": piece}, data, policy_dir)
        for half in halves[1:]
        for piece in pieces(view(half, named_from={}), rego)
    ]
    _write_all(results, json.dumps(theirs))
    return 0


def check_file_pipelined(
    file: Path, make_data: Callable[[], dict[str, Any]], rego: Engine, policy_dir: Path
) -> list[dict[str, Any]]:
    from platform_tools.guardrails.policy.runner import merge_results

    half_r, half_w = os.pipe()  # worker → here: this process's half of the view, or the plan's error
    data_r, data_w = os.pipe()  # here → worker: the data document
    res_r, res_w = os.pipe()  # worker → here: the worker's half of the results
    pid = os.fork()
    if pid == 0:
        os.close(half_r)
        os.close(data_w)
        os.close(res_r)
        status = 1
        try:
            status = _worker(file, rego, policy_dir, to_parent=half_w, from_parent=data_r, results=res_w)
        except BaseException:
            with contextlib.suppress(OSError):
                _write_all(res_w, json.dumps({"crash": traceback.format_exc()}))
        os._exit(status)
    os.close(half_w)
    os.close(data_r)
    os.close(res_w)
    try:
        data = make_data()
    except BaseException:
        os.kill(pid, signal.SIGTERM)
        os.close(data_w)
        _read_all(half_r)
        _read_all(res_r)
        os.waitpid(pid, 0)
        raise
    half = _read_all(half_r)  # read before writing: the worker writes its half first, then reads the data
    if not half.startswith(INPUT):
        os.close(data_w)
        crash = _read_all(res_r)
        os.waitpid(pid, 0)
        if half.startswith(REFUSED):
            error = json.loads(half[1:])
            raise ConfigError(error["source"], [Problem(**p) for p in error["problems"]])
        raise WorkerError("the policy worker failed:\n" + _crash(crash))
    with contextlib.suppress(BrokenPipeError):  # a worker that died since: its answer below says why
        _write_all(data_w, json.dumps(data))
    try:
        mine = [rego.evaluate_json(text, data, policy_dir) for text in half[1:].split("\n")]
    finally:  # the worker is read to the end and reaped, whatever this process's own half did
        theirs = _read_all(res_r)
        os.waitpid(pid, 0)
    answer = json.loads(theirs) if theirs else {"crash": "the policy worker exited without an answer"}
    if isinstance(answer, dict):
        raise WorkerError("the policy worker failed:\n" + _crash(theirs))
    return merge_results([*mine, *answer], str(file))


def _crash(text: str) -> str:
    """The worker's traceback from its last answer (or what it wrote instead)."""
    try:
        return str(json.loads(text)["crash"])
    except (ValueError, KeyError, TypeError):
        return text or "the policy worker exited without an answer"
