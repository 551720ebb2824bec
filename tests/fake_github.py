"""A local stand-in for the GitHub Releases REST API, on 127.0.0.1 only.

It speaks the same HTTP as api.github.com for the three calls the publisher makes (``GET
/repos/{o}/{r}/releases/tags/{tag}``, ``POST /repos/{o}/{r}/releases``, ``PATCH
/repos/{o}/{r}/releases/{id}``): bearer-token auth (401 "Bad credentials" otherwise), JSON bodies checked
like GitHub's validation (422 with ``errors``), 201 responses shaped like GitHub's release object. Like
GitHub, it refuses a release for a tag the remote does not have when the request names no target commit
(the fake checks the bare remote repository it is given): that proves the tag was pushed first.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class FakeGitHub:
    owner: str
    repo: str
    token: str
    remote: Path  # bare repository standing in for github.com/owner/repo.git
    calls: list[Call] = field(default_factory=list)
    releases: dict[int, dict[str, Any]] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def _tag_on_remote(self, tag: str) -> bool:
        proc = subprocess.run(
            ["git", "rev-parse", "--verify", "-q", f"refs/tags/{tag}"],
            cwd=self.remote,
            capture_output=True,
            check=False,
        )
        return proc.returncode == 0

    def start(self) -> FakeGitHub:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet test output
                pass

            def _reply(self, status: int, payload: Any) -> None:
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    self._reply(400, {"message": "Problems parsing JSON"})
                    return
                fake.calls.append(Call(method, self.path, dict(self.headers.items()), body))
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    self._reply(401, {"message": "Bad credentials", "status": "401"})
                    return
                prefix = f"/repos/{fake.owner}/{fake.repo}/releases"
                if not self.path.startswith(prefix):
                    self._reply(404, {"message": "Not Found", "status": "404"})
                    return
                rest = self.path[len(prefix) :]
                if method == "GET" and (m := re.fullmatch(r"/tags/([^/]+)", rest)):
                    found = [r for r in fake.releases.values() if r["tag_name"] == m[1]]
                    self._reply(200, found[0]) if found else self._reply(404, {"message": "Not Found"})
                elif method == "POST" and rest == "":
                    self._create(body)
                elif method == "PATCH" and (m := re.fullmatch(r"/(\d+)", rest)) and int(m[1]) in fake.releases:
                    release = fake.releases[int(m[1])]
                    changes = body if isinstance(body, dict) else {}
                    release.update({k: changes[k] for k in ("name", "body", "draft", "prerelease") if k in changes})
                    self._reply(200, release)
                else:
                    self._reply(404, {"message": "Not Found"})

            def _create(self, body: Any) -> None:
                errors = []
                if not isinstance(body, dict) or not isinstance(body.get("tag_name"), str):
                    errors.append({"resource": "Release", "code": "missing_field", "field": "tag_name"})
                elif not fake._tag_on_remote(body["tag_name"]) and "target_commitish" not in body:
                    errors.append({"resource": "Release", "code": "invalid", "field": "tag_name"})
                elif any(r["tag_name"] == body["tag_name"] for r in fake.releases.values()):
                    errors.append({"resource": "Release", "code": "already_exists", "field": "tag_name"})
                if errors:
                    self._reply(422, {"message": "Validation Failed", "errors": errors})
                    return
                number = len(fake.releases) + 1
                tag = body["tag_name"]
                release = {
                    "id": number,
                    "url": f"{fake.url}/repos/{fake.owner}/{fake.repo}/releases/{number}",
                    "html_url": f"https://github.com/{fake.owner}/{fake.repo}/releases/tag/{tag}",
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
                fake.releases[number] = release
                self._reply(201, release)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PATCH(self) -> None:
                self._handle("PATCH")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
