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
