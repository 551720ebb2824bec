"""The PR comment and the override against a fake GitHub on 127.0.0.1 speaking GitHub's REST protocol.

The fake checks what GitHub checks (the bearer token, the paths and methods) and answers as GitHub does:
JSON shaped like GitHub's, ``Link: <...>; rel="next"`` pagination honouring ``per_page``. The real
:class:`RestGitHub` and the real ``infra report post`` command talk to it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from platform_stacks.guardrails.github_api import (
    Approvers,
    GitHubError,
    RestGitHub,
    evaluate_override,
    upsert_comment,
)
from platform_stacks.guardrails.report import MARKER

TOKEN = "ghs_fake_token_for_tests"
REPO = "acme/fileflow"
HEAD = "a" * 40
OLD = "b" * 40
FIXTURES = Path(__file__).resolve().parent / "fixtures"
INFRA = Path(sys.executable).parent / "infra"


@dataclass
class FakeGitHub:
    """State of one repository with one PR (number 7), as GitHub would hold it."""

    comments: list[dict[str, Any]] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)
    teams: dict[str, list[str]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1000
    base: str = ""

    def comment(self, body: str, user: str = "someone") -> dict[str, Any]:
        self.next_id += 1
        c = {
            "id": self.next_id,
            "body": body,
            "user": {"login": user, "type": "User"},
            "html_url": f"https://github.com/{REPO}/pull/7#issuecomment-{self.next_id}",
        }
        self.comments.append(c)
        return c

    def review(self, user: str, state: str, commit: str, at: str) -> None:
        self.next_id += 1
        self.reviews.append(
            {
                "id": self.next_id,
                "user": {"login": user},
                "state": state,
                "commit_id": commit,
                "submitted_at": at,
                "html_url": f"https://github.com/{REPO}/pull/7#pullrequestreview-{self.next_id}",
            }
        )


def _handler(state: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any, link: str = "") -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            if link:
                self.send_header("Link", link)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _page(self, items: list[Any]) -> None:
            url = urlparse(self.path)
            query = parse_qs(url.query)
            per_page = int(query.get("per_page", ["30"])[0])
            page = int(query.get("page", ["1"])[0])
            chunk = items[(page - 1) * per_page : page * per_page]
            link = ""
            if page * per_page < len(items):
                link = f'<{state.base}{url.path}?per_page={per_page}&page={page + 1}>; rel="next"'
            self._send(200, chunk, link)

        def _auth(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, {"message": "Bad credentials"})
                return False
            return True

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length", "0"))
            return dict(json.loads(self.rfile.read(length) or b"{}"))

        def do_GET(self) -> None:
            state.requests.append(("GET", self.path))
            if not self._auth():
                return
            path = urlparse(self.path).path
            if path == f"/repos/{REPO}/issues/7/comments":
                self._page(state.comments)
            elif path == f"/repos/{REPO}/pulls/7":
                self._send(
                    200,
                    {
                        "number": 7,
                        "head": {"sha": HEAD, "ref": "feature"},
                        "user": {"login": "dev-author"},
                        "labels": [{"id": i, "name": n, "color": "ededed"} for i, n in enumerate(state.labels)],
                    },
                )
            elif path == f"/repos/{REPO}/pulls/7/reviews":
                self._page(state.reviews)
            elif m := re.fullmatch(r"/orgs/acme/teams/([^/]+)/members", path):
                if m.group(1) not in state.teams:
                    self._send(404, {"message": "Not Found"})
                else:
                    self._page([{"login": u} for u in state.teams[m.group(1)]])
            else:
                self._send(404, {"message": "Not Found"})

        def do_POST(self) -> None:
            state.requests.append(("POST", self.path))
            if not self._auth():
                return
            if urlparse(self.path).path == f"/repos/{REPO}/issues/7/comments":
                self._send(201, state.comment(self._body()["body"], user="github-actions[bot]"))
            else:
                self._send(404, {"message": "Not Found"})

        def do_PATCH(self) -> None:
            state.requests.append(("PATCH", self.path))
            if not self._auth():
                return
            m = re.fullmatch(rf"/repos/{REPO}/issues/comments/(\d+)", urlparse(self.path).path)
            target = next((c for c in state.comments if m and c["id"] == int(m.group(1))), None)
            if target is None:
                self._send(404, {"message": "Not Found"})
                return
            target["body"] = self._body()["body"]
            self._send(200, target)

    return Handler


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    state = FakeGitHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def client(fake: FakeGitHub) -> RestGitHub:
    return RestGitHub(TOKEN, fake.base)


def test_first_run_creates_second_run_updates_exactly_one_comment(fake: FakeGitHub) -> None:
    for i in range(150):  # our comment lands on page 2 (per_page=100): finding it needs pagination
        fake.comment(f"chatter {i}")
    gh = client(fake)
    first, created = upsert_comment(gh, REPO, 7, f"{MARKER}\nrun 1")
    assert created
    second, created = upsert_comment(gh, REPO, 7, f"{MARKER}\nrun 2")
    assert not created and second.id == first.id
    ours = [c for c in fake.comments if c["body"].startswith(MARKER)]
    assert len(ours) == 1 and ours[0]["body"].endswith("run 2")
    pages = [p for m, p in fake.requests if m == "GET" and "/issues/7/comments" in p]
    assert len(pages) == 4 and sum("page=2" in p for p in pages) == 2  # 2 runs x 2 pages


def test_a_quoted_marker_is_not_our_comment(fake: FakeGitHub) -> None:
    fake.comment(f"> quoting the bot:\n> {MARKER}")
    _, created = upsert_comment(client(fake), REPO, 7, f"{MARKER}\nreport")
    assert created and len(fake.comments) == 2


def test_bad_token_is_an_actionable_error(fake: FakeGitHub) -> None:
    with pytest.raises(GitHubError, match="401: the token is invalid"):
        RestGitHub("wrong", fake.base).list_comments(REPO, 7)


def _override(fake: FakeGitHub, **approvers: Any) -> Any:
    return evaluate_override(client(fake), REPO, 7, Approvers(**approvers))


def test_override_accepted_with_label_and_platform_approval_on_head(fake: FakeGitHub) -> None:
    fake.labels = ["infra", "infra-override"]
    fake.review("carol", "COMMENTED", HEAD, "2026-11-29T09:00:00Z")
    fake.review("carol", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
    decision = _override(fake, users=frozenset({"Carol"}))
    assert decision.accepted
    assert (decision.approver, decision.approved_at, decision.commit) == ("carol", "2026-11-29T10:00:00Z", HEAD)
    assert decision.review_url.endswith(f"#pullrequestreview-{fake.next_id}")


def test_override_approver_from_team(fake: FakeGitHub) -> None:
    fake.labels = ["infra-override"]
    fake.teams = {"platform": ["dave", "erin"]}
    fake.review("erin", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
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
    fake: FakeGitHub, labels: list[str], reviews: list[tuple[str, str, str]], reason: str
) -> None:
    fake.labels = labels
    for i, (user, state, commit) in enumerate(reviews):
        fake.review(user, state, commit, f"2026-11-29T1{i}:00:00Z")
    decision = _override(fake, users=frozenset({"carol"}))
    assert not decision.accepted
    assert reason in decision.reason
    assert decision.label_present == ("infra-override" in labels)


def test_pr_author_cannot_approve_their_own_override(fake: FakeGitHub) -> None:
    fake.labels = ["infra-override"]
    fake.review("dev-author", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
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
        fake.base,
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
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GITHUB_TOKEN": TOKEN}
    return subprocess.run(args, capture_output=True, text=True, check=False, env=env)


def test_cli_post_blocks_then_passes_after_override(fake: FakeGitHub, tmp_path: Path) -> None:
    fake.labels = ["infra-override"]
    blocked = _post(fake, tmp_path)
    assert blocked.returncode == 3, blocked.stderr
    assert "created comment" in blocked.stderr
    body = fake.comments[0]["body"]
    assert body.startswith(MARKER) and "❌ blocked" in body
    assert "The label `infra-override` alone does nothing" in body

    fake.review("carol", "APPROVED", HEAD, "2026-11-29T10:00:00Z")
    passed = _post(fake, tmp_path)
    assert passed.returncode == 0, passed.stderr
    assert "updated comment" in passed.stderr and len(fake.comments) == 1
    body = fake.comments[0]["body"]
    assert "**Accepted.** Approved by @carol at 2026-11-29T10:00:00Z on commit `aaaaaaaaaaaa`" in body
    assert "- `trivy:AVD-AWS-0107@aws_security_group.admin`" in body
    audit = json.loads((tmp_path / "report.json").read_text())
    assert audit["status"] == "overridden" and audit["override"]["approver"] == "carol"


def test_cli_post_without_token_exits_2(fake: FakeGitHub, tmp_path: Path) -> None:
    args = [str(INFRA), "report", "post", "--repo", REPO, "--pr", "7", "--api-url", fake.base]
    out = subprocess.run(
        args, capture_output=True, text=True, check=False, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    )
    assert out.returncode == 2 and "GITHUB_TOKEN" in out.stderr


def test_cli_post_still_reports_when_the_override_cannot_be_evaluated(fake: FakeGitHub, tmp_path: Path) -> None:
    """A failed team lookup (github.token cannot list an org team) must not swallow the report: the comment is
    posted, says why the override was not granted, and the check blocks."""
    fake.labels = ["infra-override"]
    out = _post(fake, tmp_path, "--approver-team", "acme/ghosts")
    assert out.returncode == 3, out.stderr
    assert "created comment" in out.stderr and len(fake.comments) == 1
    body = fake.comments[0]["body"]
    assert "could not be evaluated" in body and "404" in body
