"""One local GitHub on 127.0.0.1 for every test that talks to GitHub: release publishing and the PR report.

It speaks GitHub's REST protocol for the calls the platform makes, each one a row of :data:`FakeGitHub.ROUTES`
(method, path pattern, handler), and checks what GitHub checks: the bearer token (401 "Bad credentials"
otherwise), JSON bodies, 404 for anything it does not serve. Each token has an :class:`Identity`, as on GitHub:
the main token is an *installation* token of the GitHub Actions app (what ``github.token`` is), so ``GET /user``
answers 403 "Resource not accessible by integration" and its comments are written by ``github-actions[bot]``;
a token added with :meth:`FakeGitHub.add_token` can be a user's (``GET /user`` names it) or another app's.
Comments record who wrote them, and, as on GitHub (anyone with write access may edit comments on a PR), a token
allowed to comment may edit anyone's comment: only the client's own care keeps it off a comment it did not write.
Lists are paginated the way GitHub paginates them (``per_page``, ``page`` and a ``Link: <...>; rel="next"``
header), so pagination bugs show here. Like GitHub, it refuses a release for a tag the remote does not have when
the request names no target commit (it checks the bare repository it is given): that proves the publisher pushed
the tag first.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

#: a repository path segment: owner/name
REPO = r"(?P<repo>[^/]+/[^/]+)"


#: what GitHub answers ``GET /user`` with an installation token (GITHUB_TOKEN, a GitHub App's)
NOT_FOR_INTEGRATIONS = {
    "message": "Resource not accessible by integration",
    "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
    "status": "403",
}


@dataclass(frozen=True)
class Identity:
    """Who a token acts as: a user (or machine user), or a GitHub App's installation (``app`` is its slug)."""

    login: str
    app: str = ""

    @property
    def user(self) -> dict[str, Any]:
        """The ``user`` object GitHub puts on what this identity writes."""
        return {"login": self.login, "type": "Bot" if self.app else "User"}


#: ``github.token`` in a workflow: an installation token of the GitHub Actions app
ACTIONS_BOT = Identity("github-actions[bot]", app="github-actions")


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class PullState:
    """One pull request as GitHub holds it: head commit, author, labels, issue comments, reviews."""

    number: int
    head_sha: str
    author: str = "dev-author"
    labels: list[str] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    reviews: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Reply:
    status: int
    body: Any
    link: str = ""


@dataclass
class FakeGitHub:
    token: str
    #: bare repository standing in for the remote of the repository whose releases are published
    remote: Path | None = None
    calls: list[Call] = field(default_factory=list)
    releases: dict[int, dict[str, Any]] = field(default_factory=dict)
    pulls: dict[tuple[str, int], PullState] = field(default_factory=dict)
    #: org -> team slug -> member logins
    teams: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: token -> who it acts as; ``token`` is the GitHub Actions app's unless a test says otherwise
    identities: dict[str, Identity] = field(default_factory=dict)
    next_id: int = 1000
    _server: ThreadingHTTPServer | None = None

    def __post_init__(self) -> None:
        self.identities.setdefault(self.token, ACTIONS_BOT)

    def add_token(self, token: str, identity: Identity) -> str:
        self.identities[token] = identity
        return token

    # -- state helpers for tests ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "start() the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _id(self) -> int:
        self.next_id += 1
        return self.next_id

    def pull(self, repo: str, number: int, head_sha: str, author: str = "dev-author") -> PullState:
        state = PullState(number, head_sha, author)
        self.pulls[(repo, number)] = state
        return state

    def comment(self, repo: str, number: int, body: str, user: str | Identity = "someone") -> dict[str, Any]:
        """A comment written by ``user`` (a login: a person; an :class:`Identity`: whoever it stands for)."""
        author = user if isinstance(user, Identity) else Identity(user)
        cid = self._id()
        c = {
            "id": cid,
            "body": body,
            "user": author.user,
            "performed_via_github_app": {"slug": author.app} if author.app else None,
            "html_url": f"https://github.com/{repo}/pull/{number}#issuecomment-{cid}",
        }
        self.pulls[(repo, number)].comments.append(c)
        return c

    def review(self, repo: str, number: int, user: str, state: str, *, commit: str, at: str) -> dict[str, Any]:
        rid = self._id()
        r = {
            "id": rid,
            "user": {"login": user},
            "state": state,
            "commit_id": commit,
            "submitted_at": at,
            "html_url": f"https://github.com/{repo}/pull/{number}#pullrequestreview-{rid}",
        }
        self.pulls[(repo, number)].reviews.append(r)
        return r

    def requests(self, method: str, fragment: str) -> list[str]:
        """Paths of the calls with ``method`` whose path contains ``fragment``."""
        return [c.path for c in self.calls if c.method == method and fragment in c.path]

    # -- routes ---------------------------------------------------------------------------------------
    def _pr(self, m: re.Match[str]) -> PullState | None:
        return self.pulls.get((m["repo"], int(m["number"])))

    def _paginated(self, path: str, query: dict[str, list[str]], items: list[Any]) -> Reply:
        per_page = int(query.get("per_page", ["30"])[0])
        page = int(query.get("page", ["1"])[0])
        link = ""
        if page * per_page < len(items):
            link = f'<{self.url}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        return Reply(200, items[(page - 1) * per_page : page * per_page], link)

    def get_release_by_tag(self, m: re.Match[str], query: dict[str, list[str]], body: Any, caller: Identity) -> Reply:
        found = [r for r in self.releases.values() if r["repo"] == m["repo"] and r["tag_name"] == m["tag"]]
        return Reply(200, _public(found[0])) if found else _not_found()

    def create_release(self, m: re.Match[str], query: dict[str, list[str]], body: Any, caller: Identity) -> Reply:
        errors = []
        if not isinstance(body, dict) or not isinstance(body.get("tag_name"), str):
            errors.append({"resource": "Release", "code": "missing_field", "field": "tag_name"})
        elif not self._tag_on_remote(body["tag_name"]) and "target_commitish" not in body:
            errors.append({"resource": "Release", "code": "invalid", "field": "tag_name"})
        elif any(r["repo"] == m["repo"] and r["tag_name"] == body["tag_name"] for r in self.releases.values()):
            errors.append({"resource": "Release", "code": "already_exists", "field": "tag_name"})
        if errors:
            return Reply(422, {"message": "Validation Failed", "errors": errors})
        number = len(self.releases) + 1
        tag = body["tag_name"]
        release = {
            "repo": m["repo"],
            "id": number,
            "url": f"{self.url}/repos/{m['repo']}/releases/{number}",
            "html_url": f"https://github.com/{m['repo']}/releases/tag/{tag}",
            "tag_name": tag,
            "target_commitish": body.get("target_commitish", "main"),
            "name": body.get("name"),
            "body": body.get("body"),
            "draft": bool(body.get("draft", False)),
            "prerelease": bool(body.get("prerelease", False)),
            "created_at": "2026-12-01T00:00:00Z",
            "published_at": "2026-12-01T00:00:00Z",
            "author": {"login": "release-bot"},
            "assets": [],
        }
        self.releases[number] = release
        return Reply(201, _public(release))

    def update_release(self, m: re.Match[str], query: dict[str, list[str]], body: Any, caller: Identity) -> Reply:
        release = self.releases.get(int(m["id"]))
        if release is None or release["repo"] != m["repo"]:
            return _not_found()
        changes = body if isinstance(body, dict) else {}
        release.update({k: changes[k] for k in ("name", "body", "draft", "prerelease") if k in changes})
        return Reply(200, _public(release))

    def list_comments(self, m: re.Match[str], query: dict[str, list[str]], body: Any, caller: Identity) -> Reply:
        pr = self._pr(m)
        return self._paginated(m.string, query, pr.comments) if pr else _not_found()

    def create_comment(self, m: re.Match[str], query: dict[str, list[str]], body: Any, caller: Identity) -> Reply:
        if self._pr(m) is None or not isinstance(body, dict) or "body" not in body:
            return _not_found()
        return Reply(201, self.comment(m["repo"], int(m["number"]), body["body"], user=caller))

    def get_user(self, m: re.Match[str], query: dict[str, list[str]], body: Any, caller: Identity) -> Reply:
        if caller.app:
            return Reply(403, NOT_FOR_INTEGRATIONS)
        return Reply(200, {**caller.user, "id": zlib.crc32(caller.login.encode())})

    def update_comment(self, m: re.Match[str], query: dict[str, list[str]], body: Any, caller: Identity) -> Reply:
        for (repo, _), pr in self.pulls.items():
            for c in pr.comments:
                if repo == m["repo"] and c["id"] == int(m["id"]) and isinstance(body, dict):
                    c["body"] = body["body"]
                    return Reply(200, c)
        return _not_found()

    def get_pull(self, m: re.Match[str], query: dict[str, list[str]], body: Any, caller: Identity) -> Reply:
        pr = self._pr(m)
        if pr is None:
            return _not_found()
        labels = [{"id": i, "name": n, "color": "ededed"} for i, n in enumerate(pr.labels)]
        return Reply(
            200,
            {
                "number": pr.number,
                "head": {"sha": pr.head_sha, "ref": "feature"},
                "user": {"login": pr.author},
                "labels": labels,
            },
        )

    def list_reviews(self, m: re.Match[str], query: dict[str, list[str]], body: Any, caller: Identity) -> Reply:
        pr = self._pr(m)
        return self._paginated(m.string, query, pr.reviews) if pr else _not_found()

    def team_members(self, m: re.Match[str], query: dict[str, list[str]], body: Any, caller: Identity) -> Reply:
        members = self.teams.get(m["org"], {}).get(m["team"])
        return (
            self._paginated(m.string, query, [{"login": u} for u in members]) if members is not None else _not_found()
        )

    ROUTES: tuple[tuple[str, str, str], ...] = (
        ("GET", rf"/repos/{REPO}/releases/tags/(?P<tag>[^/]+)", "get_release_by_tag"),
        ("POST", rf"/repos/{REPO}/releases", "create_release"),
        ("PATCH", rf"/repos/{REPO}/releases/(?P<id>\d+)", "update_release"),
        ("GET", rf"/repos/{REPO}/issues/(?P<number>\d+)/comments", "list_comments"),
        ("POST", rf"/repos/{REPO}/issues/(?P<number>\d+)/comments", "create_comment"),
        ("PATCH", rf"/repos/{REPO}/issues/comments/(?P<id>\d+)", "update_comment"),
        ("GET", rf"/repos/{REPO}/pulls/(?P<number>\d+)", "get_pull"),
        ("GET", rf"/repos/{REPO}/pulls/(?P<number>\d+)/reviews", "list_reviews"),
        ("GET", r"/orgs/(?P<org>[^/]+)/teams/(?P<team>[^/]+)/members", "team_members"),
        ("GET", r"/user", "get_user"),
    )

    def _tag_on_remote(self, tag: str) -> bool:
        if self.remote is None:
            return False
        proc = subprocess.run(
            ["git", "rev-parse", "--verify", "-q", f"refs/tags/{tag}"],
            cwd=self.remote,
            capture_output=True,
            check=False,
        )
        return proc.returncode == 0

    def handle(self, method: str, raw_path: str, headers: dict[str, str], raw: bytes) -> Reply:
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return Reply(400, {"message": "Problems parsing JSON"})
        self.calls.append(Call(method, raw_path, headers, body))
        scheme, _, token = headers.get("Authorization", "").partition(" ")
        caller = self.identities.get(token) if scheme == "Bearer" else None
        if caller is None:
            return Reply(401, {"message": "Bad credentials", "status": "401"})
        parts = urlsplit(raw_path)
        for route_method, pattern, name in self.ROUTES:
            m = re.fullmatch(pattern, parts.path)
            if route_method == method and m:
                handler: Callable[[re.Match[str], dict[str, list[str]], Any, Identity], Reply] = getattr(self, name)
                return handler(m, parse_qs(parts.query), body, caller)
        return _not_found()

    # -- server ---------------------------------------------------------------------------------------
    def start(self) -> FakeGitHub:
        fake = self

        class Server(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet test output
                pass

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                reply = fake.handle(
                    method, self.path, dict(self.headers.items()), self.rfile.read(length) if length else b""
                )
                data = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                if reply.link:
                    self.send_header("Link", reply.link)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PATCH(self) -> None:
                self._serve("PATCH")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Server)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _not_found() -> Reply:
    return Reply(404, {"message": "Not Found", "status": "404"})


def _public(release: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in release.items() if k != "repo"}
