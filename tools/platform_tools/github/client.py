"""GitHub's REST API over ``urllib``: the one client behind every GitHub edge (release publishing, the PR report).

- **Base URL**, resolved one way (:func:`api_base_url`): an explicit ``--api-url``, else ``$GITHUB_API_URL`` (GitHub
  Actions sets it, on GitHub Enterprise Server too), else the API of the registry's GitHub host.
- **Host pinning**: the token is only ever sent under the base URL (:func:`within_api`: same scheme, host and port,
  no userinfo, a path under the base's, as GitHub Enterprise Server's ``/api/v3``, with no dot segments). A
  pagination link pointing anywhere else is refused, and a redirect anywhere else is followed without the token (the
  header is never copied to a redirect; it is added back only when the target is on the API), so a response cannot
  steer the token to another host or to the web paths of the API's own host; plain ``http`` is accepted for loopback
  only (the local fakes the tests run against).
- **Errors**: :class:`GitHubError` names the call, the status, the usual fix and GitHub's own message; a caller
  that handles statuses itself (a 404 that means "not there yet") asks for them with ``check=False``.
- **Pagination**: ``Link: <...>; rel="next"``, 100 per page, at most :data:`MAX_PAGES` pages.
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from platform_constructs.errors import PlatformError

DEFAULT_API = "https://api.github.com"
API_VERSION = "2022-11-28"
PER_PAGE = 100
#: A runaway pagination loop (a broken Link header) stops here instead of hanging the job.
MAX_PAGES = 50
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
#: What a status usually means, whoever calls; callers add their own (which permission their call needs).
HINTS: Mapping[int, str] = {
    401: "the token is invalid or expired",
    403: "the token lacks a permission this call needs (or a rate limit hit)",
    404: "wrong repository or number, or the token cannot see the repository",
    422: "GitHub rejected the data",
}


class GitHubError(PlatformError):
    """A GitHub API call failed; the message names the call, the status and the usual fix."""

    exit_code = 2

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Response:
    status: int
    data: Any
    link: str = ""


def api_base_url(host: str = "github.com", explicit: str | None = None) -> str:
    """``explicit``, else ``$GITHUB_API_URL``, else github.com's API or a GitHub Enterprise Server's ``/api/v3``."""
    configured = explicit or os.environ.get("GITHUB_API_URL")
    if configured:
        return configured.rstrip("/")
    return DEFAULT_API if host == "github.com" else f"https://{host}/api/v3"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def within_api(url: str, api_url: str) -> bool:
    """May ``url`` carry the token of a client bound to ``api_url``?

    Compared part by part rather than as strings, because every look-alike is a way out: ``api.github.com@evil``
    (userinfo: the host is ``evil``), ``api.github.com.evil.example``, another port, ``/api/v3/../../login`` (a
    path that leaves the API once the server resolves it), control characters urllib would strip. Anything unusual
    is outside: a refused link costs an error message, a followed one could cost the token.
    """
    if any(ch.isspace() or ord(ch) < 0x20 or ch == "\\" for ch in url):
        return False
    try:
        target, base = urllib.parse.urlsplit(url), urllib.parse.urlsplit(api_url)
        target_port, base_port = target.port, base.port
    except ValueError:  # a port that is not a number
        return False
    scheme = target.scheme.lower()
    if scheme != base.scheme.lower() or scheme not in _DEFAULT_PORTS or "@" in target.netloc:
        return False
    if not target.hostname or target.hostname != base.hostname:
        return False
    if (target_port or _DEFAULT_PORTS[scheme]) != (base_port or _DEFAULT_PORTS[scheme]):
        return False
    if any(seg in (".", "..") for seg in urllib.parse.unquote(target.path).split("/")):
        return False
    prefix = base.path.rstrip("/")
    return not prefix or target.path == prefix or target.path.startswith(prefix + "/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _TokenStaysHome(urllib.request.HTTPRedirectHandler):
    """urllib copies every ordinary request header to a redirect's target, so the token travels as an *unredirected*
    header (never copied) and is added back only when the target is on the API (GitHub redirects within its API,
    for a renamed repository, and those keep working). Each hop is judged against the API, not the previous hop."""

    def __init__(self, api_url: str) -> None:
        super().__init__()
        self.api_url = api_url

    def redirect_request(  # noqa: PLR0917 (urllib's signature)
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        token = req.unredirected_hdrs.get("Authorization")
        if new is not None:
            new.remove_header("Authorization")
            if token and within_api(new.full_url, self.api_url):
                new.add_unredirected_header("Authorization", token)
        return new


class GitHubClient:
    """A bearer token bound to one API origin."""

    def __init__(
        self, token: str, api_url: str = DEFAULT_API, *, timeout: float = 30.0, user_agent: str = "acme-infra"
    ) -> None:
        if not token:
            raise GitHubError("GitHub token is empty: set GITHUB_TOKEN (the workflow passes github.token)")
        parts = urllib.parse.urlsplit(api_url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise GitHubError(f"GitHub API URL {api_url!r} is not an http(s) URL; check GITHUB_API_URL or --api-url")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise GitHubError(
                f"GitHub API URL {api_url!r} is plain http: the token would cross the network unencrypted; use https"
            )
        self.token = token
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.user_agent = user_agent
        self._opener = urllib.request.build_opener(_TokenStaysHome(self.api_url))

    @classmethod
    def from_env(
        cls, api_url: str | None = None, *, host: str = "github.com", token_env: str = "GITHUB_TOKEN"
    ) -> GitHubClient:
        return cls(os.environ.get(token_env, ""), api_base_url(host, api_url))

    def _url(self, path: str) -> str:
        if not path.startswith(("http://", "https://")):
            return f"{self.api_url}{path}"
        if not within_api(path, self.api_url):
            raise GitHubError(
                f"GitHub sent a link to {path!r}, outside {self.api_url}: not followed (the token stays with its API)"
            )
        return path

    def request(
        self,
        method: str,
        path: str,
        payload: Mapping[str, Any] | None = None,
        *,
        check: bool = True,
        hints: Mapping[int, str] | None = None,
    ) -> Response:
        """One call. 2xx answers are returned, other statuses raise :class:`GitHubError` (``check=False``: are
        returned too, for callers that handle them, such as a 404 meaning "not there yet")."""
        url = self._url(path)
        data = json.dumps(payload).encode() if payload is not None else None
        req = urllib.request.Request(url, data=data, method=method)
        req.add_unredirected_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", API_VERSION)
        req.add_header("User-Agent", self.user_agent)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with self._opener.open(req, timeout=self.timeout) as resp:
                status, body, link = resp.status, resp.read(), resp.headers.get("Link", "") or ""
        except urllib.error.HTTPError as err:
            body = err.read()
            if not check:
                return Response(err.code, _parse(body, lenient=True))
            said = _said(body)
            hint = {**HINTS, **(hints or {})}.get(err.code, "see GitHub's message")
            raise GitHubError(
                f"GitHub {method} {url} failed with {err.code}: {hint}. GitHub said: {said}", err.code
            ) from err
        except urllib.error.URLError as err:
            raise GitHubError(f"GitHub {method} {url} unreachable: {err.reason}; check GITHUB_API_URL") from err
        except OSError as err:  # a read timeout, a reset connection
            raise GitHubError(f"GitHub {method} {url} failed: {err}; retry the job") from err
        try:
            return Response(status, _parse(body), link)
        except ValueError as err:
            raise GitHubError(f"GitHub {method} {url} answered with non-JSON: {body[:200]!r}", status) from err

    def paginate(self, path: str, *, hints: Mapping[int, str] | None = None) -> list[Any]:
        sep = "&" if "?" in path else "?"
        url: str | None = f"{path}{sep}per_page={PER_PAGE}"
        items: list[Any] = []
        for _ in range(MAX_PAGES):
            if url is None:
                return items
            page = self.request("GET", url, hints=hints)
            items += page.data
            match = _NEXT.search(page.link)
            url = match.group(1) if match else None
        raise GitHubError(f"GitHub pagination of {path} did not end after {MAX_PAGES} pages")


def _parse(body: bytes, *, lenient: bool = False) -> Any:
    if not body:
        return None
    try:
        return json.loads(body)
    except ValueError:
        if lenient:
            return body.decode(errors="replace")
        raise


def _said(body: bytes) -> str:
    """GitHub's message from an error body (its JSON ``message``, else the raw text), kept short."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"])[:300]
    return body.decode(errors="replace")[:300]
