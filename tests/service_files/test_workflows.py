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
    text = REUSABLE.read_text().replace("inputs.service", "inputs.servcie")
    (tmp_path / ".github" / "workflows" / "infra-checks.yml").write_text(text)
    out = lint(tmp_path, ".github/workflows/infra-checks.yml")
    assert out.returncode == 1 and "servcie" in out.stdout


@pytest.mark.parametrize("service", ["fileflow", "authhub"])
def test_rendered_caller_passes_actionlint_against_the_reusable_workflow(
    registry: Registry, service: str, tmp_path: Path
) -> None:
    workflows = scratch_repo(tmp_path)
    text = render_infra_checks_caller(registry, service, ref="v1.0.0")
    remote = "uses: acme/platform-infra/.github/workflows/infra-checks.yml@"
    assert remote in text
    (workflows / "infra-checks.yml").write_text(text)
    local = re.sub(re.escape(remote) + r"\S+( # \S+)?", "uses: ./.github/workflows/platform-infra-checks.yml", text)
    (workflows / "local-caller.yml").write_text(local)
    out = lint(tmp_path, *(f".github/workflows/{f}" for f in ("infra-checks.yml", "local-caller.yml")))
    assert out.returncode == 0, out.stdout + out.stderr
    # The cross-check is real: an input the reusable workflow does not declare is refused.
    (workflows / "local-caller.yml").write_text(local.replace("service:", "working-directory: infra\n      service:"))
    out = lint(tmp_path, ".github/workflows/local-caller.yml")
    assert out.returncode == 1 and 'input "working-directory" is not defined' in out.stdout


def test_caller_passes_only_the_service_name(registry: Registry) -> None:
    caller = yaml.safe_load(render_infra_checks_caller(registry, "fileflow", ref="a" * 40))
    callee = yaml.safe_load(REUSABLE.read_text())[True]["workflow_call"]  # YAML 1.1 reads `on` as True
    job = caller["jobs"]["infra-checks"]
    assert job["uses"].endswith("@" + "a" * 40)
    # nothing that decides the verdict is an input: the reusable workflow reads it all from platform.yaml
    assert job["with"] == {"service": "fileflow"} and set(callee["inputs"]) == {"service"}
    assert set(job["secrets"]) <= set(callee["secrets"])
    assert caller["permissions"] == {}
    assert job["permissions"] == {"contents": "read", "pull-requests": "write", "id-token": "write"}
    assert set(caller[True]) == {"pull_request", "pull_request_review"}


def test_a_service_without_infracost_passes_no_infracost_key(registry: Registry) -> None:
    registry = registry.model_copy(
        update={"services": tuple(s.model_copy(update={"infracost": False}) for s in registry.services)}
    )
    job = yaml.safe_load(render_infra_checks_caller(registry, "fileflow", ref="v1.0.0"))["jobs"]["infra-checks"]
    assert "INFRACOST_API_KEY" not in job["secrets"]


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


def _references(node: object) -> str:
    return yaml.safe_dump(node, width=10_000)


def test_reusable_workflow_permissions_are_minimal_and_pr_code_holds_nothing() -> None:
    doc = yaml.safe_load(REUSABLE.read_text())
    jobs = doc["jobs"]
    assert doc["permissions"] == {}
    assert jobs["prepare"]["permissions"] == {"contents": "read", "id-token": "write"}
    assert jobs["verdict"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    # the job that runs the PR's Terraform: no token scope, no secret, no token, nothing but the bundle in
    plan = jobs["plan"]
    assert plan["permissions"] == {}
    text = _references(plan)
    for forbidden in ("secrets.", "github.token", "GITHUB_TOKEN", "id-token"):
        assert forbidden not in text, forbidden
    assert [s.get("uses", "").split("@")[0] for s in plan["steps"] if "uses" in s] == [
        "actions/download-artifact",
        "hashicorp/setup-terraform",
        "actions/upload-artifact",
    ]
    # the other jobs never run the PR's Terraform
    for name in ("prepare", "verdict"):
        runs = "\n".join(s.get("run", "") for s in jobs[name]["steps"])
        assert not re.search(r"(^|[;&|(]\s*|\n\s*)terraform\s", runs), name
    checkouts = [s for j in jobs.values() for s in j["steps"] if "actions/checkout" in s.get("uses", "")]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)
    # secrets reach only the steps that need them
    for name, job in jobs.items():
        for step in job["steps"]:
            if "secrets." in _references(step):
                assert step["name"] in {
                    "Check out the platform repository at that commit",
                    "Check out the platform repository at the prepared commit",
                    "Set up Infracost",
                    "Combined report, override check and PR comment",
                }, (name, step["name"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"service": "billing"}, "service: is not registered in platform.yaml"),
        ({"ref": "main"}, "ref: must be a release tag vX.Y.Z or a full commit SHA"),
        ({"ref": "v1.0.0\n    evil: true"}, "ref: must be a release tag"),
    ],
)
def test_caller_rejects_bad_values(registry: Registry, kwargs: dict[str, object], message: str) -> None:
    service = str(kwargs.pop("service", "fileflow"))
    with pytest.raises(ConfigError, match=re.escape(message)):
        render_infra_checks_caller(registry, service, **kwargs)  # type: ignore[arg-type]
