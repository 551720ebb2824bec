"""The harness that runs workflow steps from their YAML (support/workflow.py) behaves as the runner does, and
refuses what it does not understand instead of running it differently."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.workflow import Job, UnsupportedExpressionError, clean_env

WORKFLOW = """\
on:
  workflow_call:
    inputs:
      who: {type: string, default: world}
jobs:
  check:
    steps:
      - name: add a tool
        run: |
          mkdir -p "$RUNNER_TEMP/bin"
          printf '#!/bin/sh\\necho hello "$1"\\n' > "$RUNNER_TEMP/bin/greet"
          chmod +x "$RUNNER_TEMP/bin/greet"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
      - name: use it
        id: use
        run: echo "said=$(greet ${{ inputs.who }})" >> "$GITHUB_OUTPUT"
      - name: multi-line output
        id: multi
        run: printf 'text<<EOF\\na\\nEOF\\n' >> "$GITHUB_OUTPUT"
      - name: an expression it does not know
        run: echo ${{ format('{0}', inputs.who) }}
"""


@pytest.fixture
def job(tmp_path: Path) -> Job:
    (tmp_path / "wf.yml").write_text(WORKFLOW)
    (tmp_path / "ws").mkdir()
    return Job(tmp_path / "wf.yml", "check", inputs={"who": "platform"}, workspace=tmp_path / "ws")


def test_a_tool_added_to_github_path_is_found_by_later_steps(job: Job, tmp_path: Path) -> None:
    env = clean_env([])
    assert job.run("add a tool", env, tmp_path).returncode == 0
    proc = job.run("use it", env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert job.outputs["use"] == {"said": "hello platform"}


def test_forms_it_does_not_read_raise(job: Job, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedExpressionError, match="only name=value"):
        job.run("multi-line output", clean_env([]), tmp_path)
    with pytest.raises(UnsupportedExpressionError, match="format"):
        job.run("an expression it does not know", clean_env([]), tmp_path)
