"""The GitHub edge of the guardrails: the one PR comment, and the override decision.

Everything the workflow needs from GitHub goes through the :class:`GitHub` protocol, so the reporter is tested
against a fake GitHub speaking the same REST protocol on 127.0.0.1 and never against the real one. The REST
implementation uses only ``urllib`` (the workflow installs nothing extra) and takes the API base URL from
``GITHUB_API_URL``, which GitHub sets to the right value on GitHub Enterprise Server as well.

Override rule (kept here so the workflow, the docs and the tests agree on one definition): the PR carries the
override label (default ``infra-override``) **and** its latest review from a platform-team member is an approval
*of the current head commit*. A label alone does nothing (anyone with triage rights can set one); an approval of
an older commit does not cover code pushed after it; a later "changes requested" or a dismissal by the same
reviewer withdraws the approval, as in GitHub's own review semantics.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from platform_constructs.errors import PlatformError
from platform_stacks.guardrails.report import MARKER, Override

DEFAULT_API = "https://api.github.com"
DEFAULT_LABEL = "infra-override"
PER_PAGE = 100
#: A runaway pagination loop (a broken Link header) stops here instead of hanging the job.
MAX_PAGES = 50


class GitHubError(PlatformError):
    """A GitHub API call failed; the message names the call, the status and the usual fix."""

    exit_code = 2


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


class GitHub(Protocol):
    def list_comments(self, repo: str, number: int) -> list[Comment]: ...

    def create_comment(self, repo: str, number: int, body: str) -> Comment: ...

    def update_comment(self, repo: str, comment_id: int, body: str) -> Comment: ...

    def pull_request(self, repo: str, number: int) -> PullRequest: ...

    def reviews(self, repo: str, number: int) -> list[Review]: ...

    def team_members(self, org: str, team_slug: str) -> list[str]: ...


_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class RestGitHub:
    """GitHub's REST API v3 over ``urllib``: bearer token, JSON, ``Link: rel="next"`` pagination."""

    def __init__(self, token: str, api_url: str = DEFAULT_API, timeout: float = 30.0):
        if not token:
            raise GitHubError("GitHub token is empty: set GITHUB_TOKEN (the workflow passes github.token)")
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    @classmethod
    def from_env(cls, api_url: str | None = None) -> RestGitHub:
        return cls(
            os.environ.get("GITHUB_TOKEN", ""),
            api_url or os.environ.get("GITHUB_API_URL") or DEFAULT_API,
        )

    def _request(self, method: str, url: str, payload: dict[str, Any] | None = None) -> tuple[Any, str]:
        if not url.startswith(("http://", "https://")):
            url = f"{self.api_url}{url}"
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        req.add_header("User-Agent", "infra-checks")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                body = resp.read()
                link = resp.headers.get("Link", "") or ""
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")[:300]
            hint = {
                401: "the token is invalid or expired",
                403: "the token lacks permission (the job needs `pull-requests: write`; fork PRs get a read-only "
                "token, so the comment is skipped there and the report goes to the job summary)",
                404: "wrong repository or PR number, or the token cannot see the repository",
            }.get(err.code, "see GitHub's message")
            raise GitHubError(f"GitHub {method} {url} failed with {err.code}: {hint}. GitHub said: {detail}") from err
        except urllib.error.URLError as err:
            raise GitHubError(f"GitHub {method} {url} unreachable: {err.reason}; check GITHUB_API_URL") from err
        except OSError as err:  # a read timeout, a reset connection
            raise GitHubError(f"GitHub {method} {url} failed: {err}; retry the job") from err
        try:
            return (json.loads(body) if body else None), link
        except ValueError as err:
            raise GitHubError(f"GitHub {method} {url} answered with non-JSON: {body[:200]!r}") from err

    def _paginate(self, path: str) -> list[Any]:
        sep = "&" if "?" in path else "?"
        url: str | None = f"{path}{sep}per_page={PER_PAGE}"
        items: list[Any] = []
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            page, link = self._request("GET", url)
            items += page
            match = _NEXT.search(link)
            url = match.group(1) if match else None
        raise GitHubError(f"GitHub pagination of {path} did not end after {MAX_PAGES} pages")

    def list_comments(self, repo: str, number: int) -> list[Comment]:
        return [_comment(c) for c in self._paginate(f"/repos/{repo}/issues/{number}/comments")]

    def create_comment(self, repo: str, number: int, body: str) -> Comment:
        data, _ = self._request("POST", f"/repos/{repo}/issues/{number}/comments", {"body": body})
        return _comment(data)

    def update_comment(self, repo: str, comment_id: int, body: str) -> Comment:
        data, _ = self._request("PATCH", f"/repos/{repo}/issues/comments/{comment_id}", {"body": body})
        return _comment(data)

    def pull_request(self, repo: str, number: int) -> PullRequest:
        data, _ = self._request("GET", f"/repos/{repo}/pulls/{number}")
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
            for r in self._paginate(f"/repos/{repo}/pulls/{number}/reviews")
        ]

    def team_members(self, org: str, team_slug: str) -> list[str]:
        quoted = urllib.parse.quote(team_slug, safe="")
        return [str(m["login"]) for m in self._paginate(f"/orgs/{org}/teams/{quoted}/members")]


def _comment(data: dict[str, Any]) -> Comment:
    return Comment(
        id=int(data["id"]),
        body=str(data.get("body") or ""),
        user=str((data.get("user") or {}).get("login", "")),
        url=str(data.get("html_url") or ""),
    )


def upsert_comment(gh: GitHub, repo: str, number: int, body: str, marker: str = MARKER) -> tuple[Comment, bool]:
    """Update the PR's guardrails comment in place, or create it; returns ``(comment, created)``.

    The comment is found by the hidden marker on its first line, so a human quoting the report in a reply is
    never mistaken for it. If earlier runs somehow left several, the oldest is updated and the others are left
    alone (deleting people's view of history is not this tool's call).
    """
    if not body.startswith(marker):
        body = f"{marker}\n{body}"
    for comment in gh.list_comments(repo, number):
        if comment.body.startswith(marker):
            return gh.update_comment(repo, comment.id, body), False
    return gh.create_comment(repo, number, body), True


@dataclass(frozen=True)
class Approvers:
    """Who may approve an override: named users, and/or the members of one GitHub team."""

    users: frozenset[str] = frozenset()
    org: str = ""
    team: str = ""

    def resolve(self, gh: GitHub) -> frozenset[str]:
        names = {u.lower() for u in self.users}
        if self.team:
            names |= {m.lower() for m in gh.team_members(self.org, self.team)}
        return frozenset(names)


def latest_reviews(reviews: Iterable[Review]) -> dict[str, Review]:
    """Each reviewer's latest review that counts; a plain comment does not replace an approval."""
    latest: dict[str, Review] = {}
    for r in sorted(reviews, key=lambda r: (r.submitted_at, r.id)):
        if r.state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[r.user.lower()] = r
    return latest


def evaluate_override(
    gh: GitHub,
    repo: str,
    number: int,
    approvers: Approvers,
    *,
    label: str = DEFAULT_LABEL,
    team_client: GitHub | None = None,
) -> Override:
    """Is the merge block overridden? Always returns an :class:`Override` saying why or why not.

    ``team_client`` resolves team members when the PR token cannot (``github.token`` has no ``read:org``).
    """
    pr = gh.pull_request(repo, number)
    has_label = label in pr.labels
    if not has_label:
        return Override(False, f"the PR has no `{label}` label", label=label, commit=pr.head_sha)
    allowed = approvers.resolve(team_client or gh)
    if not allowed:
        return Override(
            False,
            "no platform-team approvers are configured, so no one can approve an override",
            label=label,
            label_present=True,
            commit=pr.head_sha,
        )
    latest = latest_reviews(gh.reviews(repo, number))
    candidates = [r for u, r in latest.items() if u in allowed and u != pr.author.lower()]
    for r in sorted(candidates, key=lambda r: r.submitted_at):
        if r.state == "APPROVED" and r.commit_id == pr.head_sha:
            return Override(
                True,
                "label and platform-team approval on the head commit",
                label=label,
                label_present=True,
                approver=r.user,
                approved_at=r.submitted_at,
                commit=pr.head_sha,
                review_url=r.url,
            )
    stale = [r for r in candidates if r.state == "APPROVED"]
    others = [r.user for u, r in latest.items() if r.state == "APPROVED" and u not in allowed]
    if stale:
        reason = (
            f"@{stale[0].user} approved commit `{stale[0].commit_id[:12]}`, not the head commit "
            f"`{pr.head_sha[:12]}`: new commits need a new approval"
        )
    elif others:
        reason = f"approval by {', '.join('@' + o for o in others)}, who is not on the platform team"
    else:
        reason = "no approving review by a platform-team member"
    return Override(False, reason, label=label, label_present=True, commit=pr.head_sha)
