"""Publishing a release: push the tag, then create (or update) the GitHub Release through the REST API.

The network edge is one small interface (:class:`ReleasePublisher`); :class:`GitHubReleases` implements it over
the one GitHub client (github.com or GitHub Enterprise Server: only the base URL differs). Tests run it against a
local fake server that speaks the same HTTP.

Idempotent by design: if a release for the tag already exists (a previous run pushed the tag and created
the release, then failed later, or someone created it by hand), it is updated with the tag's notes instead
of failing, so ``infra release publish vX.Y.Z`` can always be re-run.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any, Protocol

from platform_tools.github.client import GitHubClient, GitHubError


class PublishError(GitHubError):
    """Pushing or creating the GitHub Release failed; the local tag is intact, ``infra release publish`` retries."""


@dataclass(frozen=True)
class PublishedRelease:
    url: str
    created: bool  # False when an existing release was updated


class ReleasePublisher(Protocol):
    def publish(self, tag: str, name: str, body: str, *, latest: bool) -> PublishedRelease: ...


class GitHubReleases:
    """``POST /repos/{owner}/{repo}/releases`` (or ``PATCH`` of the existing one)."""

    def __init__(self, api_url: str, owner: str, repo: str, token: str, timeout: float = 30.0) -> None:
        self.owner = owner
        self.repo = repo
        try:
            self.client = GitHubClient(token, api_url, timeout=timeout, user_agent="acme-infra-release")
        except GitHubError as err:
            raise PublishError(f"{err}\n  fix: then run `infra release publish <tag>`") from err

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        repo = f"/repos/{urllib.parse.quote(self.owner)}/{urllib.parse.quote(self.repo)}"
        try:
            resp = self.client.request(method, f"{repo}{path}", body, check=False)
        except GitHubError as err:
            raise PublishError(
                f"cannot reach the GitHub API at {self.client.api_url}: {err}\n"
                "  fix: check the network or --api-url, then run `infra release publish <tag>`"
            ) from err
        return resp.status, resp.data

    def _fail(self, what: str, status: int, payload: Any) -> PublishError:
        message = payload.get("message") if isinstance(payload, dict) else payload
        hint = {
            401: "GITHUB_TOKEN is missing, expired or wrong",
            403: "the token lacks `contents: write` on the repository (or a rate limit hit)",
            404: f"no repository {self.owner}/{self.repo} visible to this token (check platform.yaml github:)",
            422: "GitHub rejected the data (does the tag exist on the remote?)",
        }.get(status, "see GitHub's message")
        return PublishError(
            f"{what} failed: HTTP {status}: {message}\n  fix: {hint}; then run `infra release publish <tag>`", status
        )

    def publish(self, tag: str, name: str, body: str, *, latest: bool) -> PublishedRelease:
        status, existing = self._request("GET", f"/releases/tags/{urllib.parse.quote(tag)}")
        payload = {"tag_name": tag, "name": name, "body": body, "draft": False, "prerelease": False}
        payload["make_latest"] = "true" if latest else "false"
        if status == 200 and isinstance(existing, dict):
            status, result = self._request("PATCH", f"/releases/{existing['id']}", payload)
            if status != 200:
                raise self._fail(f"updating the release {tag}", status, result)
            return PublishedRelease(url=str(result.get("html_url", "")), created=False)
        if status != 404:
            raise self._fail(f"looking up the release {tag}", status, existing)
        status, result = self._request("POST", "/releases", payload)
        if status != 201:
            raise self._fail(f"creating the release {tag}", status, result)
        return PublishedRelease(url=str(result.get("html_url", "")), created=True)
