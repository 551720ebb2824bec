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
from platform_tools.guardrails.report.post import ACTIONS_BOT, comment_author, upsert_comment
from support.env import FIXTURES
from support.fake_github import ACTIONS_BOT as ACTIONS_IDENTITY
from support.fake_github import FakeGitHub, Identity, PullState

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
    first = upsert_comment(gh, REPO, 7, f"{MARKER}\nrun 1", author=ACTIONS_BOT)
    assert first.created
    second = upsert_comment(gh, REPO, 7, f"{MARKER}\nrun 2", author=ACTIONS_BOT)
    assert not second.created and second.comment.id == first.comment.id
    ours = [c for c in pr.comments if c["body"].startswith(MARKER)]
    assert len(ours) == 1 and ours[0]["body"].endswith("run 2")
    pages = fake.requests("GET", "/issues/7/comments")
    assert len(pages) == 4 and sum("page=2" in p for p in pages) == 2  # 2 runs x 2 pages


def test_a_quoted_marker_is_not_our_comment(fake: FakeGitHub, pr: PullState) -> None:
    fake.comment(REPO, 7, f"> quoting the bot:\n> {MARKER}")
    posted = upsert_comment(client(fake), REPO, 7, f"{MARKER}\nreport", author=ACTIONS_BOT)
    assert posted.created and len(pr.comments) == 2 and not posted.impostors


# -- whose comment is ours: the token's identity, never the marker alone -------------------------------------------

FORGED = f"{MARKER}\n## Infrastructure checks\n\n**✅ passed**\n"


def test_github_token_identity_is_the_actions_bot(fake: FakeGitHub) -> None:
    """``github.token`` is an installation token: GET /user answers 403 and its comments are the Actions bot's."""
    gh = client(fake)
    assert gh.token_login() is None
    assert comment_author(gh) == "github-actions[bot]"
    assert comment_author(gh, "@acme-guard[bot]") == "acme-guard[bot]"  # a GitHub App's token, configured
    assert len(fake.requests("GET", "/user")) == 3  # asked every time, never assumed


def test_a_user_token_is_known_by_get_user_and_beats_the_configured_author(fake: FakeGitHub) -> None:
    token = fake.add_token("ghp_platform_bot", Identity("acme-platform-bot"))
    gh = RestPullRequests(GitHubClient(token, fake.url))
    assert gh.token_login() == "acme-platform-bot"
    assert comment_author(gh, "github-actions[bot]") == "acme-platform-bot"


def test_an_unexpected_refusal_of_get_user_is_an_error_not_a_guess(fake: FakeGitHub) -> None:
    with pytest.raises(GitHubError, match="401"):
        comment_author(RestPullRequests(GitHubClient("wrong", fake.url)))


def test_a_forged_marker_comment_is_never_updated_and_is_named_in_ours(fake: FakeGitHub, pr: PullState) -> None:
    """The PR author posts a fake "all green" report first; the real one must neither edit nor be mistaken for it."""
    forged = fake.comment(REPO, 7, FORGED, user="dev-author")
    gh = client(fake)
    first = upsert_comment(gh, REPO, 7, f"{MARKER}\n## Infrastructure checks\n\n**❌ blocked**", author=ACTIONS_BOT)
    assert first.created and first.comment.id != forged["id"]
    assert [c.id for c in first.impostors] == [forged["id"]]
    again = upsert_comment(gh, REPO, 7, f"{MARKER}\nrun 2", author=ACTIONS_BOT)
    assert not again.created and again.comment.id == first.comment.id
    assert forged["body"] == FORGED and not fake.requests("PATCH", f"/comments/{forged['id']}")
    ours = pr.comments[1]
    assert ours["user"] == {"login": "github-actions[bot]", "type": "Bot"}
    assert ours["body"].startswith(f"{MARKER}\n> ⚠️ 1 other comment(s) on this PR look like this report")
    assert "(by @dev-author)" in ours["body"] and ours["body"].endswith("run 2")


def test_a_user_token_ignores_marker_comments_of_the_actions_bot(fake: FakeGitHub, pr: PullState) -> None:
    """A workflow the PR changes can post as github-actions[bot] too: for a user token that is someone else."""
    fake.comment(REPO, 7, FORGED, user=ACTIONS_IDENTITY)
    token = fake.add_token("ghp_platform_bot", Identity("acme-platform-bot"))
    gh = RestPullRequests(GitHubClient(token, fake.url))
    author = comment_author(gh)
    first = upsert_comment(gh, REPO, 7, f"{MARKER}\nreport", author=author)
    second = upsert_comment(gh, REPO, 7, f"{MARKER}\nreport 2", author=author)
    assert first.created and not second.created and second.comment.id == first.comment.id
    assert pr.comments[0]["body"] == FORGED
    assert pr.comments[1]["user"]["login"] == "acme-platform-bot"


def test_bad_token_is_an_actionable_error(fake: FakeGitHub) -> None:
    with pytest.raises(GitHubError, match="401: the token is invalid"):
        RestPullRequests(GitHubClient("wrong", fake.url)).list_comments(REPO, 7)


def _override(fake: FakeGitHub, head_sha: str = HEAD, **approvers: Any) -> Any:
    return evaluate_override(client(fake), REPO, 7, Approvers(**approvers), head_sha=head_sha)


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
        (["infra-override"], [("carol", "APPROVED", OLD)], "not the checked commit `aaaaaaaaaaaa`"),
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


def test_override_refused_when_new_commits_arrived_since_the_scan(fake: FakeGitHub, pr: PullState) -> None:
    """The run checked OLD; the author pushed HEAD, which carol approved. That approval is not about OLD's results
    (a re-run of OLD's job must not turn green on it), and the run on HEAD decides on its own."""
    pr.labels = ["infra-override"]
    review(fake, "carol", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
    decision = _override(fake, head_sha=OLD, users=frozenset({"carol"}))
    assert not decision.accepted and decision.commit == OLD
    assert "new commits since the scan: this run checked `bbbbbbbbbbbb`, the PR's head is now `aaaaaaaaaaaa`" in (
        decision.reason
    )
    assert _override(fake, head_sha=HEAD.upper(), users=frozenset({"carol"})).accepted


def test_override_needs_the_scanned_commit(fake: FakeGitHub) -> None:
    with pytest.raises(ValueError, match="head_sha"):
        _override(fake, head_sha="", users=frozenset({"carol"}))


def test_pr_author_cannot_approve_their_own_override(fake: FakeGitHub, pr: PullState) -> None:
    pr.labels = ["infra-override"]
    review(fake, "dev-author", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
    assert not _override(fake, users=frozenset({"dev-author"})).accepted


def _post(
    fake: FakeGitHub,
    tmp_path: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    head_sha: str | None = HEAD,
    disable: str = "checkov,policy,cost",
) -> subprocess.CompletedProcess[str]:
    """``infra report post`` as the workflow runs it, on trivy findings that block; ``head_sha`` is the scanned
    commit (``None``: the flag is left out)."""
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
        disable,
        "--approver",
        "carol",
        "--json",
        str(tmp_path / "report.json"),
        "--out",
        str(tmp_path / "comment.md"),
        *(["--head-sha", head_sha] if head_sha is not None else []),
        *extra,
    ]
    environ = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GITHUB_TOKEN": fake.token, **(env or {})}
    return subprocess.run(args, capture_output=True, text=True, check=False, env=environ)


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
    args = [str(INFRA), "report", "post", "--repo", REPO, "--pr", "7", "--api-url", fake.url, "--head-sha", HEAD]
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


def test_cli_post_leaves_a_forged_report_alone_and_says_so(fake: FakeGitHub, tmp_path: Path, pr: PullState) -> None:
    forged = fake.comment(REPO, 7, FORGED, user="dev-author")
    out = _post(fake, tmp_path)
    assert out.returncode == 3, out.stderr
    assert forged["body"] == FORGED and len(pr.comments) == 2
    assert "created comment" in out.stderr and "as @github-actions[bot]" in out.stderr
    assert f"warning: comment {forged['id']} by @dev-author starts with the infra-checks marker" in out.stderr
    ours = pr.comments[1]["body"]
    assert "❌ blocked" in ours and "not written by the check (by @dev-author)" in ours


def test_cli_post_with_a_github_app_token_uses_the_configured_bot(
    fake: FakeGitHub, tmp_path: Path, pr: PullState
) -> None:
    """An App token cannot ask GET /user: ``$INFRA_COMMENT_AUTHOR`` names its bot, and github-actions[bot]'s
    marker comment (a workflow in the PR can post one) is then someone else's."""
    fake.comment(REPO, 7, FORGED, user=ACTIONS_IDENTITY)
    token = fake.add_token("ghs_app_token", Identity("acme-guard[bot]", app="acme-guard"))
    for run in (1, 2):
        out = _post(fake, tmp_path, env={"GITHUB_TOKEN": token, "INFRA_COMMENT_AUTHOR": "acme-guard[bot]"})
        assert out.returncode == 3, out.stderr
        assert ("created" if run == 1 else "updated") + " comment" in out.stderr
    assert len(pr.comments) == 2 and pr.comments[0]["body"] == FORGED
    assert pr.comments[1]["user"]["login"] == "acme-guard[bot]"


def test_cli_post_warns_when_the_configured_bot_is_not_who_github_wrote_as(
    fake: FakeGitHub, tmp_path: Path, pr: PullState
) -> None:
    token = fake.add_token("ghs_app_token", Identity("acme-guard[bot]", app="acme-guard"))
    out = _post(fake, tmp_path, "--comment-author", "acme-typo[bot]", env={"GITHUB_TOKEN": token})
    assert out.returncode == 3, out.stderr
    assert "GitHub wrote comment" in out.stderr and "set --comment-author" in out.stderr
    assert "(or $INFRA_COMMENT_AUTHOR) to acme-guard[bot]" in out.stderr


def test_cli_post_refuses_to_judge_an_override_without_the_scanned_commit(
    fake: FakeGitHub, tmp_path: Path, pr: PullState
) -> None:
    """Without --head-sha the override used to be judged against the live head: an approval of a commit the checks
    never saw could pass them. Now the command refuses (exit 2) before it touches GitHub."""
    pr.labels = ["infra-override"]
    review(fake, "carol", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
    out = _post(fake, tmp_path, head_sha=None)
    assert out.returncode == 2, out.stderr
    assert "--head-sha: is required: an override is only judged against the commit the checks ran on" in out.stderr
    assert "github.event.pull_request.head.sha" in out.stderr
    assert fake.calls == [] and pr.comments == []
    short = _post(fake, tmp_path, head_sha=HEAD[:12])
    assert short.returncode == 2 and "--head-sha: is not a full commit SHA" in short.stderr


def test_cli_post_an_approval_of_newer_commits_does_not_pass_an_older_scan(
    fake: FakeGitHub, tmp_path: Path, pr: PullState
) -> None:
    """The job of OLD (re-run, or slow) must not turn green on an approval given to the PR's new head."""
    pr.labels = ["infra-override"]
    review(fake, "carol", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
    stale = _post(fake, tmp_path, head_sha=OLD)
    assert stale.returncode == 3, stale.stderr
    body = pr.comments[0]["body"]
    assert "Not accepted: new commits since the scan" in body and "Checked commit `bbbbbbbbbbbb`." in body
    audit = json.loads((tmp_path / "report.json").read_text())
    assert audit["head_sha"] == OLD and audit["override"]["accepted"] is False
    current = _post(fake, tmp_path, head_sha=HEAD)
    assert current.returncode == 0, current.stderr


def test_cli_post_an_approved_override_does_not_waive_a_check_that_did_not_run(
    fake: FakeGitHub, tmp_path: Path, pr: PullState
) -> None:
    """The plan failed, so the policies never ran (no policy output): carol's valid approval waives trivy's findings
    only once the policies have run too. Until then the check blocks, and the comment says why and what to do."""
    pr.labels = ["infra-override"]
    review(fake, "carol", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
    out = _post(fake, tmp_path, "--policy", str(tmp_path / "policy-dev.json"), disable="checkov,cost")
    assert out.returncode == 3, out.stderr
    assert "override approved but not applied: policy did not run" in out.stderr
    body = pr.comments[0]["body"]
    assert "❌ blocked" in body and "passed by override" not in body
    assert "an override cannot waive a check that did not run: policy (conftest / Rego)." in body
    assert "output file policy-dev.json is missing" in body and "Re-run the job" in body
    audit = json.loads((tmp_path / "report.json").read_text())
    assert audit["status"] == "blocked" and audit["override"]["applied"] is False
    assert audit["override"]["waived"] == [] and audit["override"]["not_waivable"] == ["policy"]
