"""The GitHub client keeps its token with the API's origin: links and redirects elsewhere never carry it.

Two servers on 127.0.0.1 (two ports, so two origins) record every request's headers: one stands in for the
API, the other for a host a response tries to steer the client to.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from platform_tools.github.client import GitHubClient, GitHubError

TOKEN = "t0ken"


@dataclass
class Server:
    """Answers each path with ``(status, headers, body)`` from ``routes`` and records who asked, with what."""

    routes: dict[str, tuple[int, dict[str, str], object]] = field(default_factory=dict)
    seen: list[tuple[str, str | None]] = field(default_factory=list)
    httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.httpd is not None
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Server:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                server.seen.append((self.path, self.headers.get("Authorization")))
                status, headers, body = server.routes.get(self.path.split("?")[0], (404, {}, {"message": "no"}))
                data = json.dumps(body).encode()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self


@pytest.fixture
def servers() -> Iterator[tuple[Server, Server]]:
    api, elsewhere = Server().start(), Server().start()
    yield api, elsewhere
    for s in (api, elsewhere):
        assert s.httpd is not None
        s.httpd.shutdown()
        s.httpd.server_close()


def redirect(to: str) -> tuple[int, dict[str, str], object]:
    return 302, {"Location": to}, {}


def test_a_redirect_to_another_origin_does_not_carry_the_token(servers: tuple[Server, Server]) -> None:
    api, elsewhere = servers
    elsewhere.routes["/loot"] = (200, {}, {"ok": True})
    api.routes["/repos/acme/app"] = redirect(f"{elsewhere.url}/loot")
    GitHubClient(TOKEN, api.url).request("GET", "/repos/acme/app")
    assert api.seen == [("/repos/acme/app", f"Bearer {TOKEN}")]
    assert elsewhere.seen == [("/loot", None)]


def test_a_redirect_within_the_api_keeps_the_token(servers: tuple[Server, Server]) -> None:
    """GitHub answers a renamed repository with a redirect on its own API host; the call must still work."""
    api, _ = servers
    api.routes["/repos/acme/old-name"] = redirect(f"{api.url}/repositories/42")
    api.routes["/repositories/42"] = (200, {}, {"id": 42})
    assert GitHubClient(TOKEN, api.url).request("GET", "/repos/acme/old-name").data == {"id": 42}
    assert api.seen == [("/repos/acme/old-name", f"Bearer {TOKEN}"), ("/repositories/42", f"Bearer {TOKEN}")]


def test_a_pagination_link_to_another_origin_is_refused(servers: tuple[Server, Server]) -> None:
    api, elsewhere = servers
    api.routes["/items"] = (200, {"Link": f'<{elsewhere.url}/items?page=2>; rel="next"'}, [1])
    with pytest.raises(GitHubError, match="not followed"):
        GitHubClient(TOKEN, api.url).paginate("/items")
    assert elsewhere.seen == []


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: GitHubClient(TOKEN, "http://api.example.com"), "plain http"),
        (lambda: GitHubClient(TOKEN, "ftp://127.0.0.1"), "not an http"),
        (lambda: GitHubClient("", "https://api.github.com"), "token is empty"),
    ],
)
def test_unsafe_clients_are_refused_before_any_call(make: Callable[[], GitHubClient], message: str) -> None:
    with pytest.raises(GitHubError, match=message):
        make()


# -- GitHub Enterprise Server: the API is a path (/api/v3) on a host that also serves the web UI ------------------


def test_a_pagination_link_outside_the_api_path_is_refused(servers: tuple[Server, Server]) -> None:
    """On GHES the API host is also the web host: a link to its ``/login`` is the same origin, not the API."""
    api, _ = servers
    api.routes["/api/v3/items"] = (200, {"Link": f'<{api.url}/login?page=2>; rel="next"'}, [1])
    with pytest.raises(GitHubError, match="not followed"):
        GitHubClient(TOKEN, f"{api.url}/api/v3").paginate("/items")
    assert [path for path, _ in api.seen] == ["/api/v3/items?per_page=100"]


def test_a_pagination_link_climbing_out_of_the_api_path_is_refused(servers: tuple[Server, Server]) -> None:
    api, _ = servers
    api.routes["/api/v3/items"] = (200, {"Link": f'<{api.url}/api/v3/%2e%2e/%2e%2e/login>; rel="next"'}, [1])
    with pytest.raises(GitHubError, match="not followed"):
        GitHubClient(TOKEN, f"{api.url}/api/v3").paginate("/items")
    assert len(api.seen) == 1


def test_a_redirect_outside_the_api_path_drops_the_token_inside_keeps_it(servers: tuple[Server, Server]) -> None:
    api, _ = servers
    api.routes["/api/v3/repos/acme/app"] = redirect(f"{api.url}/login")
    api.routes["/login"] = (200, {}, {"page": "login"})
    api.routes["/api/v3/repos/acme/old-name"] = redirect(f"{api.url}/api/v3/repositories/42")
    api.routes["/api/v3/repositories/42"] = (200, {}, {"id": 42})
    client = GitHubClient(TOKEN, f"{api.url}/api/v3")
    client.request("GET", "/repos/acme/app")
    assert client.request("GET", "/repos/acme/old-name").data == {"id": 42}
    assert api.seen == [
        ("/api/v3/repos/acme/app", f"Bearer {TOKEN}"),
        ("/login", None),
        ("/api/v3/repos/acme/old-name", f"Bearer {TOKEN}"),
        ("/api/v3/repositories/42", f"Bearer {TOKEN}"),
    ]


def test_a_redirect_back_to_the_api_after_leaving_it_is_judged_against_the_api(servers: tuple[Server, Server]) -> None:
    """Each hop is checked against the API itself, so a hop elsewhere and back neither leaks nor breaks the call."""
    api, elsewhere = servers
    api.routes["/repos/acme/app"] = redirect(f"{elsewhere.url}/bounce")
    elsewhere.routes["/bounce"] = redirect(f"{api.url}/repositories/7")
    api.routes["/repositories/7"] = (200, {}, {"id": 7})
    assert GitHubClient(TOKEN, api.url).request("GET", "/repos/acme/app").data == {"id": 7}
    assert elsewhere.seen == [("/bounce", None)]


@pytest.mark.parametrize(
    "link",
    [
        "https://api.github.com@evil.example/repos",  # userinfo: the host is evil.example
        "https://api.github.com:x@evil.example/repos",
        "https://user@api.github.com/repos",
        "https://api.github.com.evil.example/repos",
        "https://evil.example/api.github.com/repos",
        "https://api.github.com:8443/repos",
        "http://api.github.com/repos",  # the same host in clear text
        "https://api.github.com\\@evil.example/repos",
        "https://api.github.com\t@evil.example/repos",
        "https://api.github.com:99999/repos",
    ],
)
def test_look_alike_links_are_refused_before_any_call(link: str) -> None:
    with pytest.raises(GitHubError, match="not followed"):
        GitHubClient(TOKEN, "https://api.github.com").request("GET", link)


def test_the_default_port_spelled_out_is_still_the_api() -> None:
    client = GitHubClient(TOKEN, "https://ghe.example/api/v3")
    assert client._url("https://GHE.example:443/api/v3/repos?page=2") == "https://GHE.example:443/api/v3/repos?page=2"
    assert client._url("/repos") == "https://ghe.example/api/v3/repos"
