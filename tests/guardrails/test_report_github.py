"""The PR comment and the override against the local GitHub (tests/support/fake_github.py) on 127.0.0.1.

The fake checks what GitHub checks (the bearer token, the paths and methods) and answers as GitHub does:
JSON shaped like GitHub's, ``Link: <...>; rel="next"`` pagination honouring ``per_page``. The real client
(:class:`~platform_tools.github.pulls.RestPullRequests`) and the real ``infra report post`` command talk to it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from platform_tools.github.client import GitHubClient, GitHubError
from platform_tools.github.pulls import RestPullRequests
from platform_tools.guardrails.override import Approvers, evaluate_override
from platform_tools.guardrails.report.markdown import MARKER
from platform_tools.guardrails.report.post import upsert_comment
from support.env import FIXTURES
from support.fake_github import FakeGitHub, PullState

REPO = "acme/fileflow"
HEAD = "a" * 40
OLD = "b" * 40
INFRA = Path(sys.executable).parent / "infra"


@pytest.fixture
def fake(fake_github: FakeGitHub) -> FakeGitHub:
    fake_github.pull(REPO, 7, HEAD)
    return fake_github


@pytest.fixture
def pr(fake: FakeGitHub) -> PullState:
    return fake.pulls[(REPO, 7)]


def client(fake: FakeGitHub) -> RestPullRequests:
    return RestPullRequests(GitHubClient(fake.token, fake.url))


def review(fake: FakeGitHub, user: str, state: str, commit: str, at: str) -> None:
    fake.review(REPO, 7, user, state, commit=commit, at=at)


def test_first_run_creates_second_run_updates_exactly_one_comment(fake: FakeGitHub, pr: PullState) -> None:
    for i in range(150):  # our comment lands on page 2 (per_page=100): finding it needs pagination
        fake.comment(REPO, 7, f"chatter {i}")
    gh = client(fake)
    first, created = upsert_comment(gh, REPO, 7, f"{MARKER}\nrun 1")
    assert created
    second, created = upsert_comment(gh, REPO, 7, f"{MARKER}\nrun 2")
    assert not created and second.id == first.id
    ours = [c for c in pr.comments if c["body"].startswith(MARKER)]
    assert len(ours) == 1 and ours[0]["body"].endswith("run 2")
    pages = fake.requests("GET", "/issues/7/comments")
    assert len(pages) == 4 and sum("page=2" in p for p in pages) == 2  # 2 runs x 2 pages


def test_a_quoted_marker_is_not_our_comment(fake: FakeGitHub, pr: PullState) -> None:
    fake.comment(REPO, 7, f"> quoting the bot:\n> {MARKER}")
    _, created = upsert_comment(client(fake), REPO, 7, f"{MARKER}\nreport")
    assert created and len(pr.comments) == 2


def test_bad_token_is_an_actionable_error(fake: FakeGitHub) -> None:
    with pytest.raises(GitHubError, match="401: the token is invalid"):
        RestPullRequests(GitHubClient("wrong", fake.url)).list_comments(REPO, 7)


def _override(fake: FakeGitHub, **approvers: Any) -> Any:
    return evaluate_override(client(fake), REPO, 7, Approvers(**approvers))


def test_override_accepted_with_label_and_platform_approval_on_head(fake: FakeGitHub, pr: PullState) -> None:
    pr.labels = ["infra", "infra-override"]
    review(fake, "carol", "COMMENTED", HEAD, "2026-11-29T09:00:00Z")
    review(fake, "carol", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
    decision = _override(fake, users=frozenset({"Carol"}))
    assert decision.accepted
    assert (decision.approver, decision.approved_at, decision.commit) == ("carol", "2026-11-29T10:00:00Z", HEAD)
    assert decision.review_url.endswith(f"#pullrequestreview-{fake.next_id}")


def test_override_approver_from_team(fake: FakeGitHub, pr: PullState) -> None:
    pr.labels = ["infra-override"]
    fake.teams = {"acme": {"platform": ["dave", "erin"]}}
    review(fake, "erin", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
    assert _override(fake, org="acme", team="platform").accepted


@pytest.mark.parametrize(
    "labels, reviews, reason",
    [
        ([], [("carol", "APPROVED", HEAD)], "has no `infra-override` label"),
        (["infra-override"], [], "no approving review by a platform-team member"),
        (["infra-override"], [("mallory", "APPROVED", HEAD)], "@mallory, who is not on the platform team"),
        (["infra-override"], [("carol", "APPROVED", OLD)], "not the head commit"),
        (
            ["infra-override"],
            [("carol", "APPROVED", HEAD), ("carol", "CHANGES_REQUESTED", HEAD)],
            "no approving review",
        ),
        (["infra-override"], [("carol", "APPROVED", HEAD), ("carol", "DISMISSED", HEAD)], "no approving review"),
    ],
    ids=["label-missing", "label-alone", "non-member", "old-commit", "changes-requested-later", "dismissed"],
)
def test_override_refused(
    fake: FakeGitHub, labels: list[str], reviews: list[tuple[str, str, str]], reason: str, pr: PullState
) -> None:
    pr.labels = labels
    for i, (user, state, commit) in enumerate(reviews):
        review(fake, user, state, commit, f"2026-11-29T1{i}:00:00Z")
    decision = _override(fake, users=frozenset({"carol"}))
    assert not decision.accepted
    assert reason in decision.reason
    assert decision.label_present == ("infra-override" in labels)


def test_pr_author_cannot_approve_their_own_override(fake: FakeGitHub, pr: PullState) -> None:
    pr.labels = ["infra-override"]
    review(fake, "dev-author", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
    assert not _override(fake, users=frozenset({"dev-author"})).accepted


def _post(fake: FakeGitHub, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = [
        str(INFRA),
        "report",
        "post",
        "--repo",
        REPO,
        "--pr",
        "7",
        "--api-url",
        fake.url,
        "--trivy",
        str(FIXTURES / "trivy" / "config_service.json"),
        "--disable",
        "checkov,policy,cost",
        "--approver",
        "carol",
        "--json",
        str(tmp_path / "report.json"),
        "--out",
        str(tmp_path / "comment.md"),
        *extra,
    ]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GITHUB_TOKEN": fake.token}
    return subprocess.run(args, capture_output=True, text=True, check=False, env=env)


def test_cli_post_blocks_then_passes_after_override(fake: FakeGitHub, tmp_path: Path, pr: PullState) -> None:
    pr.labels = ["infra-override"]
    blocked = _post(fake, tmp_path)
    assert blocked.returncode == 3, blocked.stderr
    assert "created comment" in blocked.stderr
    body = pr.comments[0]["body"]
    assert body.startswith(MARKER) and "❌ blocked" in body
    assert "The label `infra-override` alone does nothing" in body

    review(fake, "carol", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
    passed = _post(fake, tmp_path)
    assert passed.returncode == 0, passed.stderr
    assert "updated comment" in passed.stderr and len(pr.comments) == 1
    body = pr.comments[0]["body"]
    assert "**Accepted.** Approved by @carol at 2026-11-29T10:00:00Z on commit `aaaaaaaaaaaa`" in body
    assert "- `trivy:AVD-AWS-0107@aws_security_group.admin`" in body
    audit = json.loads((tmp_path / "report.json").read_text())
    assert audit["status"] == "overridden" and audit["override"]["approver"] == "carol"


def test_cli_post_without_token_exits_2(fake: FakeGitHub, tmp_path: Path) -> None:
    args = [str(INFRA), "report", "post", "--repo", REPO, "--pr", "7", "--api-url", fake.url]
    out = subprocess.run(
        args, capture_output=True, text=True, check=False, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    )
    assert out.returncode == 2 and "GITHUB_TOKEN" in out.stderr


def test_cli_post_still_reports_when_the_override_cannot_be_evaluated(
    fake: FakeGitHub, tmp_path: Path, pr: PullState
) -> None:
    """A failed team lookup (github.token cannot list an org team) must not swallow the report: the comment is
    posted, says why the override was not granted, and the check blocks."""
    pr.labels = ["infra-override"]
    out = _post(fake, tmp_path, "--approver-team", "acme/ghosts")
    assert out.returncode == 3, out.stderr
    assert "created comment" in out.stderr and len(pr.comments) == 1
    body = pr.comments[0]["body"]
    assert "could not be evaluated" in body and "404" in body
