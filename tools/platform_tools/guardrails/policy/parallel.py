"""Evaluating pieces of one view over the CPU cores, in processes made by ``fork``.

A forked worker starts with the parent's memory (copy-on-write): the view, the data and a compiled engine are
there without being pickled, which is what made a process pool too slow for a check that must finish in half a
second. Only the answers travel back, as JSON through a pipe. Where ``fork`` does not exist, or for one worker,
everything runs in this process.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


class WorkerError(RuntimeError):
    """A worker process failed; its traceback is in the message."""


def fork_map(fn: Callable[[T], Any], items: Sequence[T], workers: int) -> list[Any]:
    """``[fn(item) for item in items]`` with the items dealt round-robin to ``workers`` processes (this one
    included); ``fn``'s results must be JSON-serialisable."""
    workers = max(1, min(workers, len(items)))
    if workers == 1 or not hasattr(os, "fork"):
        return [fn(item) for item in items]
    children: list[tuple[int, int, list[int]]] = []
    for w in range(1, workers):
        mine = list(range(w, len(items), workers))
        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the worker: answer its share, write it, leave without running the parent's cleanup
            os.close(read)
            status = 0
            try:
                payload = json.dumps({"ok": [fn(items[i]) for i in mine]})
            except BaseException:
                payload = json.dumps({"error": traceback.format_exc()})
                status = 1
            with os.fdopen(write, "w") as out:
                out.write(payload)
            os._exit(status)
        os.close(write)
        children.append((pid, read, mine))
    results: list[Any] = [None] * len(items)
    try:
        for i in range(0, len(items), workers):
            results[i] = fn(items[i])
    finally:  # whatever happens here, every worker is read to the end and reaped
        answers = [(mine, _answer(pid, read)) for pid, read, mine in children]
    errors = []
    for mine, got in answers:
        if "error" in got:
            errors.append(got["error"])
            continue
        for i, value in zip(mine, got["ok"], strict=True):
            results[i] = value
    if errors:
        raise WorkerError("a policy worker failed:\n" + "\n".join(errors))
    return results


def _answer(pid: int, read: int) -> dict[str, Any]:
    with os.fdopen(read) as stream:  # read to the end before waiting: a full pipe would block the worker
        text = stream.read()
    os.waitpid(pid, 0)
    answer: dict[str, Any] = json.loads(text) if text else {"error": "the worker exited without an answer"}
    return answer
