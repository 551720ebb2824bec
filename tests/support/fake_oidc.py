"""The runner's OIDC token service on 127.0.0.1, as a job granted ``id-token: write`` reaches it.

GitHub puts ``ACTIONS_ID_TOKEN_REQUEST_URL`` and ``ACTIONS_ID_TOKEN_REQUEST_TOKEN`` into such a job; a GET of
the URL (``&audience=...`` appended) with ``Authorization: Bearer <request token>`` answers ``{"value": JWT}``.
The JWT's claims say which workflow file and commit the job runs from (``job_workflow_ref``,
``job_workflow_sha``), which a called workflow cannot learn from its ``github`` context. The signature is not
checked by the workflow (the token comes from the runner itself), so this one is a placeholder.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@dataclass
class FakeOidc:
    #: claims of every token issued (the test sets job_workflow_ref/_sha and repository)
    claims: dict[str, Any] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)
    _tokens: set[str] = field(default_factory=set)
    _server: ThreadingHTTPServer | None = None

    def issue(self, job: str) -> tuple[str, str]:
        """(request URL, request token) for one job."""
        assert self._server is not None
        token = secrets.token_hex(16)
        self._tokens.add(token)
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/token?api-version=2.0&job={job}", token

    def start(self) -> FakeOidc:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("Bearer ") or auth[7:] not in fake._tokens:
                    self.send_response(401)
                    self.end_headers()
                    return
                fake.requests.append({"job": query.get("job", [""])[0], "audience": query.get("audience", [""])[0]})
                claims = {**fake.claims, "aud": query.get("audience", [""])[0]}
                jwt = f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{_b64(claims)}.c2lnbmF0dXJl"
                body = json.dumps({"value": jwt}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
