"""Pull requests on GitHub: comments, reviews, labels and team members, all the PR report needs.

:class:`PullRequestApi` is the interface the report and the override decision depend on; :class:`RestPullRequests`
implements it over :class:`~platform_tools.github.client.GitHubClient`. Tests run the real implementation against
a local fake that speaks GitHub's REST protocol.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any, Protocol

from platform_tools.github.client import GitHubClient, GitHubError

#: what a refused call means for the PR report's token (``github.token`` of the calling workflow)
PR_HINTS = {
    403: "the token lacks permission (the job needs `pull-requests: write`; fork PRs get a read-only token, so the "
    "comment is skipped there and the report goes to the job summary)",
    404: "wrong repository or PR number, or the token cannot see the repository",
}
#: GitHub's answer to ``GET /user`` with an installation token (``github.token``, a GitHub App's): it has no user
NOT_A_USER = "Resource not accessible by integration"


@dataclass(frozen=True)
class Comment:
    id: int
    body: str
    user: str
    url: str = ""


@dataclass(frozen=True)
class Review:
    id: int
    user: str
    state: str
    commit_id: str
    submitted_at: str
    url: str = ""


@dataclass(frozen=True)
class PullRequest:
    number: int
    head_sha: str
    author: str
    labels: tuple[str, ...]


class PullRequestApi(Protocol):
    def token_login(self) -> str | None: ...

    def list_comments(self, repo: str, number: int) -> list[Comment]: ...

    def create_comment(self, repo: str, number: int, body: str) -> Comment: ...

    def update_comment(self, repo: str, comment_id: int, body: str) -> Comment: ...

    def pull_request(self, repo: str, number: int) -> PullRequest: ...

    def reviews(self, repo: str, number: int) -> list[Review]: ...

    def team_members(self, org: str, team_slug: str) -> list[str]: ...


class RestPullRequests:
    """:class:`PullRequestApi` over GitHub's REST API v3."""

    def __init__(self, client: GitHubClient) -> None:
        self.client = client

    def token_login(self) -> str | None:
        """The login the token acts as, or ``None`` for an installation token, which GitHub does not tell.

        ``GET /user`` names the user of a personal or machine-user token; an installation token (``github.token``,
        a GitHub App's) gets 403 "Resource not accessible by integration", and only the app's configuration knows
        its bot login. Any other refusal is an error: guessing an identity would let someone else's comment pass
        for ours.
        """
        resp = self.client.request("GET", "/user", check=False)
        if resp.status == 200 and isinstance(resp.data, dict) and resp.data.get("login"):
            return str(resp.data["login"])
        said = resp.data.get("message", "") if isinstance(resp.data, dict) else str(resp.data or "")
        if resp.status == 403 and NOT_A_USER.lower() in said.lower():
            return None
        raise GitHubError(
            f"GitHub GET {self.client.api_url}/user failed with {resp.status}: cannot tell whose comments are this "
            f"job's own. GitHub said: {said[:300]}",
            resp.status,
        )

    def list_comments(self, repo: str, number: int) -> list[Comment]:
        return [_comment(c) for c in self.client.paginate(f"/repos/{repo}/issues/{number}/comments", hints=PR_HINTS)]

    def create_comment(self, repo: str, number: int, body: str) -> Comment:
        resp = self.client.request("POST", f"/repos/{repo}/issues/{number}/comments", {"body": body}, hints=PR_HINTS)
        return _comment(resp.data)

    def update_comment(self, repo: str, comment_id: int, body: str) -> Comment:
        resp = self.client.request(
            "PATCH", f"/repos/{repo}/issues/comments/{comment_id}", {"body": body}, hints=PR_HINTS
        )
        return _comment(resp.data)

    def pull_request(self, repo: str, number: int) -> PullRequest:
        data = self.client.request("GET", f"/repos/{repo}/pulls/{number}", hints=PR_HINTS).data
        return PullRequest(
            number=int(data["number"]),
            head_sha=str(data["head"]["sha"]),
            author=str((data.get("user") or {}).get("login", "")),
            labels=tuple(str(label["name"]) for label in data.get("labels") or []),
        )

    def reviews(self, repo: str, number: int) -> list[Review]:
        return [
            Review(
                id=int(r["id"]),
                user=str((r.get("user") or {}).get("login", "")),
                state=str(r.get("state", "")),
                commit_id=str(r.get("commit_id") or ""),
                submitted_at=str(r.get("submitted_at") or ""),
                url=str(r.get("html_url") or ""),
            )
            for r in self.client.paginate(f"/repos/{repo}/pulls/{number}/reviews", hints=PR_HINTS)
        ]

    def team_members(self, org: str, team_slug: str) -> list[str]:
        quoted = urllib.parse.quote(team_slug, safe="")
        members = self.client.paginate(f"/orgs/{org}/teams/{quoted}/members", hints={403: "the token needs read:org"})
        return [str(m["login"]) for m in members]


def _comment(data: dict[str, Any]) -> Comment:
    return Comment(
        id=int(data["id"]),
        body=str(data.get("body") or ""),
        user=str((data.get("user") or {}).get("login", "")),
        url=str(data.get("html_url") or ""),
    )
