"""GitHub workflows: actionlint on every workflow and on the rendered caller, SHA pins, caller rendering.

The caller is also linted *against the reusable workflow itself*: in a scratch repository its ``uses:`` points
at a local copy, so actionlint checks that every input and secret the caller passes exists, has the right
type, and that nothing required is missing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from platform_constructs.errors import ConfigError
from platform_constructs.registry import Registry
from platform_tools.service_files.caller_workflow import render_infra_checks_caller
from support.env import REPO, need

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
REUSABLE = REPO / ".github" / "workflows" / "infra-checks.yml"
PINNED = re.compile(r"^\s*(?:-\s+)?uses:\s*([\w.-]+/[\w./-]+)@([0-9a-f]{40})\s+#\s*v\d+(?:\.\d+){0,2}\s*$")


def actionlint() -> str:
    exe = Path(sys.executable).parent / "actionlint"
    found = str(exe) if exe.is_file() else shutil.which("actionlint")
    need(found is not None, "actionlint is not installed in .venv")
    assert found
    return found


def lint(repo: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [actionlint(), "-no-color", *files], cwd=repo, capture_output=True, text=True, check=False, timeout=120
    )


def scratch_repo(root: Path) -> Path:
    """A git repository (actionlint resolves ``uses: ./...`` only inside one) holding the reusable workflow."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    workflows = root / ".github" / "workflows"
    workflows.mkdir(parents=True)
    shutil.copy(REUSABLE, workflows / "platform-infra-checks.yml")
    return workflows


def test_this_repos_workflows_pass_actionlint() -> None:
    assert WORKFLOWS, "no workflows found"
    out = lint(REPO, *(str(w.relative_to(REPO)) for w in WORKFLOWS))
    assert out.returncode == 0, out.stdout + out.stderr


def test_actionlint_can_fail(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    text = REUSABLE.read_text().replace("inputs.severity-threshold", "inputs.severity-treshold")
    (tmp_path / ".github" / "workflows" / "infra-checks.yml").write_text(text)
    out = lint(tmp_path, ".github/workflows/infra-checks.yml")
    assert out.returncode == 1 and "severity-treshold" in out.stdout


@pytest.mark.parametrize("service", ["fileflow", "authhub"])
def test_rendered_caller_passes_actionlint_against_the_reusable_workflow(
    registry: Registry, service: str, tmp_path: Path
) -> None:
    workflows = scratch_repo(tmp_path)
    text = render_infra_checks_caller(registry, service, approvers=["carol", "@dave"])
    remote = "uses: acme/platform-infra/.github/workflows/infra-checks.yml@v1.0.0"
    assert remote in text
    (workflows / "infra-checks.yml").write_text(text)
    (workflows / "local-caller.yml").write_text(
        text.replace(remote, "uses: ./.github/workflows/platform-infra-checks.yml")
    )
    out = lint(tmp_path, *(f".github/workflows/{f}" for f in ("infra-checks.yml", "local-caller.yml")))
    assert out.returncode == 0, out.stdout + out.stderr
    # The cross-check is real: an input the reusable workflow does not declare is refused.
    (workflows / "local-caller.yml").write_text(
        text.replace(remote, "uses: ./.github/workflows/platform-infra-checks.yml").replace(
            "working-directory: infra", "working-dir: infra"
        )
    )
    out = lint(tmp_path, ".github/workflows/local-caller.yml")
    assert out.returncode == 1 and 'input "working-dir" is not defined' in out.stdout


def test_caller_and_reusable_workflow_agree(registry: Registry) -> None:
    caller = yaml.safe_load(render_infra_checks_caller(registry, "fileflow", ref="a" * 40, infracost=False))
    callee = yaml.safe_load(REUSABLE.read_text())[True]["workflow_call"]  # YAML 1.1 reads `on` as True
    job = caller["jobs"]["infra-checks"]
    assert job["uses"].endswith("@" + "a" * 40) and job["with"]["platform-ref"] == "a" * 40
    assert set(job["with"]) <= set(callee["inputs"])
    assert set(job["secrets"]) <= set(callee["secrets"]) and "INFRACOST_API_KEY" not in job["secrets"]
    assert job["with"]["environments"] == "dev stg prod" and job["with"]["infracost"] is False
    assert caller["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert set(caller[True]) == {"pull_request", "pull_request_review"}


def test_every_third_party_action_is_pinned_by_sha_with_its_version() -> None:
    for wf in WORKFLOWS:
        for line in wf.read_text().splitlines():
            if re.match(r"^\s*(-\s+)?uses:", line) and "uses: ./" not in line:
                assert PINNED.match(line), f"{wf.name}: not pinned by full SHA with a version comment: {line.strip()}"
    text = REUSABLE.read_text()
    # trivy is downloaded and checksum-verified; neither trivy action (hijacked tags, March 2026) is used.
    assert "aquasecurity/" not in "\n".join(ln for ln in text.splitlines() if "uses:" in ln)
    assert "sha256sum --check --strict" in text
    assert re.search(r"TRIVY_SHA256: [0-9a-f]{64}\n", text)


def test_reusable_workflow_permissions_are_minimal() -> None:
    doc = yaml.safe_load(REUSABLE.read_text())
    assert doc["permissions"] == {"contents": "read"}
    assert doc["jobs"]["infra-checks"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    checkouts = [s for s in doc["jobs"]["infra-checks"]["steps"] if "actions/checkout" in s.get("uses", "")]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"service": "billing"}, "service: is not registered in platform.yaml"),
        ({"ref": "main"}, "ref: must be a release tag vX.Y.Z or a full commit SHA"),
        ({"ref": "v1.0.0\n    evil: true"}, "ref: must be a release tag"),
        ({"approvers": ["ok", "not a login"]}, "approvers: are not GitHub logins"),
    ],
)
def test_caller_rejects_bad_values(registry: Registry, kwargs: dict[str, object], message: str) -> None:
    service = str(kwargs.pop("service", "fileflow"))
    with pytest.raises(ConfigError, match=re.escape(message)):
        render_infra_checks_caller(registry, service, **kwargs)  # type: ignore[arg-type]
