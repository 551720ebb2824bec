"""The harness that runs workflows from their YAML (support/workflow.py) behaves as GitHub's runner does where
the guardrail workflow's security depends on it, and refuses what it does not understand."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from support.actions import download_artifact, upload_artifact
from support.workflow import (
    UnsupportedExpressionError,
    WorkflowRefusedError,
    WorkflowRun,
    clean_env,
    evaluate,
)

WORKFLOW = """\
on:
  workflow_call:
    inputs:
      who: {type: string, default: world}
    secrets:
      KEY: {required: false}
permissions: {}
jobs:
  first:
    permissions: {contents: read}
    outputs:
      said: ${{ steps.use.outputs.said }}
    steps:
      - name: add a tool
        run: |
          mkdir -p "$RUNNER_TEMP/bin"
          printf '#!/bin/sh\\necho hello "$1"\\n' > "$RUNNER_TEMP/bin/greet"
          chmod +x "$RUNNER_TEMP/bin/greet"
          echo "$RUNNER_TEMP/bin" >> "$GITHUB_PATH"
          echo "FROM_ENV=yes" >> "$GITHUB_ENV"
          echo secret-looking > "$HOME/left-behind"
          echo result > out.txt
      - name: use it
        id: use
        run: echo "said=$(greet ${{ inputs.who }}) $FROM_ENV token=${{ github.token }}" >> "$GITHUB_OUTPUT"
      - name: share
        uses: actions/upload-artifact@v4
        with: {name: shared, path: .}
  second:
    needs: first
    permissions: {pull-requests: write}
    steps:
      - name: isolated
        run: |
          if command -v greet; then echo "greet leaked"; exit 1; fi
          if [ -e "$HOME/left-behind" ]; then echo "home leaked"; exit 1; fi
          echo "${{ needs.first.outputs.said }} key=${{ secrets.KEY }} env-key=${KEY:-unset}"
  broken:
    needs: first
    permissions: {}
    steps:
      - name: fail
        run: exit 3
      - name: after a failure
        run: echo never
      - name: always
        if: always()
        run: echo cleanup
  after-broken:
    needs: broken
    permissions: {}
    steps:
      - name: never
        run: echo never
  judge:
    needs: [broken]
    if: always()
    permissions: {}
    steps:
      - name: sees the result
        run: echo "broken=${{ needs.broken.result }}"
"""


def _run(tmp_path: Path, **kwargs: object) -> WorkflowRun:
    (tmp_path / "wf.yml").write_text(WORKFLOW)
    return WorkflowRun(
        workflow=tmp_path / "wf.yml",
        root=tmp_path / "run",
        inputs={"who": "platform"},
        secrets={"KEY": "s3cr3t"},
        actions={"actions/upload-artifact": upload_artifact, "actions/download-artifact": download_artifact},
        base_env=clean_env([]),
        token_for=lambda perms: "accepted" if perms.get("pull-requests") == "write" else "no-scope",
        **kwargs,  # type: ignore[arg-type]
    )


def test_jobs_steps_outputs_and_isolation(tmp_path: Path) -> None:
    results = _run(tmp_path).run()
    assert results["first"].result == "success", results["first"].log
    # GITHUB_PATH and GITHUB_ENV reach later steps of the same job; the job's token is its permissions' token
    assert results["first"].outputs == {"said": "hello platform yes token=no-scope"}
    second = results["second"]
    assert second.result == "success", second.log
    # nothing of the first job's PATH or HOME reaches the second; secrets only where the YAML maps them
    assert "hello platform yes token=no-scope key=s3cr3t env-key=unset" in second.log


def test_a_failed_step_skips_the_rest_and_fails_dependent_jobs(tmp_path: Path) -> None:
    results = _run(tmp_path).run()
    broken = results["broken"]
    assert broken.result == "failure"
    assert [s.outcome for s in broken.steps] == ["failure", "skipped", "success"]
    # a job whose needs failed is skipped (GitHub reports a skipped job's check as passing!) ...
    assert results["after-broken"].result == "skipped"
    # ... unless its `if:` uses a status function
    assert "broken=failure" in results["judge"].log


def test_a_called_job_may_not_ask_for_more_than_the_caller_grants(tmp_path: Path) -> None:
    with pytest.raises(WorkflowRefusedError, match="requesting 'pull-requests: write'"):
        _run(tmp_path, caller_permissions={"contents": "read"})


def test_undeclared_inputs_and_secrets_refuse_the_run(tmp_path: Path) -> None:
    (tmp_path / "wf.yml").write_text(WORKFLOW)
    with pytest.raises(WorkflowRefusedError, match="inputs not declared"):
        WorkflowRun(workflow=tmp_path / "wf.yml", root=tmp_path / "r", inputs={"threshold": "LOW"})
    with pytest.raises(WorkflowRefusedError, match="secrets not declared"):
        WorkflowRun(workflow=tmp_path / "wf.yml", root=tmp_path / "r", secrets={"OTHER": "x"})


def test_artifacts_are_written_once(tmp_path: Path) -> None:
    run = _run(tmp_path)
    run.run()
    again = run.run_job("first")
    assert again.result == "failure" and "already exists" in again.log


@pytest.mark.parametrize(
    "expr, expected",
    [
        ("needs.prepare.result == 'success'", True),
        ("needs.prepare.result != 'SUCCESS'", False),  # strings compare ignoring case, as on GitHub
        ("inputs.flag && 'yes' || 'no'", "no"),
        ("!inputs.flag", True),
        ("always() && needs.prepare.result == 'failure'", False),
        ("contains('dev prod', 'prod')", True),
        ("secrets.A || github.token", "tok"),
    ],
)
def test_expressions(expr: str, expected: object) -> None:
    context = {
        "needs": {"prepare": {"result": "success"}},
        "inputs": {"flag": False},
        "secrets": {},
        "github": {"token": "tok"},
    }
    assert evaluate(expr, context) == expected


def test_forms_it_does_not_read_raise(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedExpressionError):
        evaluate("format('{0}', inputs.who)", {})
    wf = yaml.safe_load(WORKFLOW)
    wf["jobs"] = {
        "out": {
            "permissions": {},
            "steps": [{"name": "m", "run": "printf 'a<<EOF\\nx\\nEOF\\n' >> $GITHUB_OUTPUT", "id": "m"}],
        }
    }
    (tmp_path / "wf.yml").write_text(yaml.safe_dump(wf))
    run = WorkflowRun(workflow=tmp_path / "wf.yml", root=tmp_path / "r", base_env=clean_env([]))
    with pytest.raises(UnsupportedExpressionError, match="only name=value"):
        run.run()
