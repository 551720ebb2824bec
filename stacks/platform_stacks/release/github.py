"""Publishing a release: push the tag, then create (or update) the GitHub Release through the REST API.

The network edge is one small interface (:class:`ReleasePublisher`); :class:`GitHubReleases` speaks the
GitHub REST API (github.com or GitHub Enterprise Server: only the base URL differs). Tests run it against a
local fake server that speaks the same HTTP.

Idempotent by design: if a release for the tag already exists (a previous run pushed the tag and created
the release, then failed later, or someone created it by hand), it is updated with the tag's notes instead
of failing, so ``infra release publish vX.Y.Z`` can always be re-run.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

from platform_constructs.errors import PlatformError

API_VERSION = "2022-11-28"


class PublishError(PlatformError):
    """Pushing or creating the GitHub Release failed; the local tag is intact, ``infra release publish`` retries."""

    exit_code = 2


@dataclass(frozen=True)
class PublishedRelease:
    url: str
    created: bool  # False when an existing release was updated


class ReleasePublisher(Protocol):
    def publish(self, tag: str, name: str, body: str, *, latest: bool) -> PublishedRelease: ...


def api_base_url(host: str) -> str:
    """github.com → ``https://api.github.com``; a GitHub Enterprise Server host → ``https://HOST/api/v3``."""
    configured = os.environ.get("GITHUB_API_URL")  # set by GitHub Actions, also on GHES runners
    if configured:
        return configured.rstrip("/")
    return "https://api.github.com" if host == "github.com" else f"https://{host}/api/v3"


class GitHubReleases:
    """``POST /repos/{owner}/{repo}/releases`` (or ``PATCH`` of the existing one) with a bearer token."""

    def __init__(self, api_url: str, owner: str, repo: str, token: str, timeout: float = 30.0) -> None:
        self.api_url = api_url.rstrip("/")
        self.owner = owner
        self.repo = repo
        self.token = token
        self.timeout = timeout

    def _request(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        url = f"{self.api_url}/repos/{urllib.parse.quote(self.owner)}/{urllib.parse.quote(self.repo)}{path}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Accept", "application/vnd.github+json")
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("X-GitHub-Api-Version", API_VERSION)
        request.add_header("User-Agent", "acme-infra-release")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = raw.decode(errors="replace")
            return err.code, payload
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            raise PublishError(
                f"cannot reach the GitHub API at {self.api_url}: {err}\n"
                "  fix: check the network or --api-url, then run `infra release publish <tag>`"
            ) from err

    def _fail(self, what: str, status: int, payload: Any) -> PublishError:
        message = payload.get("message") if isinstance(payload, dict) else payload
        hint = {
            401: "GITHUB_TOKEN is missing, expired or wrong",
            403: "the token lacks `contents: write` on the repository (or a rate limit hit)",
            404: f"no repository {self.owner}/{self.repo} visible to this token (check platform.yaml github:)",
            422: "GitHub rejected the data (does the tag exist on the remote?)",
        }.get(status, "see GitHub's message")
        return PublishError(
            f"{what} failed: HTTP {status}: {message}\n  fix: {hint}; then run `infra release publish <tag>`"
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
