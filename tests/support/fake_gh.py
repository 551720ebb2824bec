"""A stand-in for the GitHub CLI (``gh api ...``), enough to run the rendered ``apply-rulesets.sh`` offline.

It keeps a small GitHub in a JSON file (``$FAKE_GH_STATE``): each repository's rulesets, its CODEOWNERS on the
default branch and the errors GitHub would report in it. Every call is appended to ``calls``, so a test can say
what the script asked GitHub to do. It answers only the requests the script makes, and fails loudly (exit 99) on
any other: a script that starts calling something new must get a fake that knows what that call means.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

SELECT_BY_NAME = re.compile(r'^\.\[\] \| select\(\.name == "([^"]+)"\) \| \.id$')
RULESETS = re.compile(r"^repos/([^/]+/[^/?]+)/rulesets(?:\?.*)?$")
RULESET = re.compile(r"^repos/([^/]+/[^/]+)/rulesets/(\d+)$")
CODEOWNERS = re.compile(r"^repos/([^/]+/[^/]+)/contents/\.github/CODEOWNERS$")
ERRORS = re.compile(r"^repos/([^/]+/[^/]+)/codeowners/errors$")
HOST = "github.com"


def fail(code: int, message: str) -> None:
    print(message, file=sys.stderr)
    sys.exit(code)


def parse(argv: list[str]) -> dict[str, Any]:
    if not argv or argv[0] != "api":
        fail(99, f"fake gh: only `gh api` is supported, got {argv}")
    opts: dict[str, Any] = {"method": "GET", "headers": [], "flags": set()}
    rest = argv[1:]
    while rest:
        arg = rest.pop(0)
        if arg in ("--hostname", "--method", "--jq", "--input"):
            opts[arg[2:]] = rest.pop(0)
        elif arg == "-H":
            opts["headers"].append(rest.pop(0))
        elif arg in ("--paginate", "--silent"):
            opts["flags"].add(arg)
        elif arg.startswith("-"):
            fail(99, f"fake gh: unknown option {arg}")
        elif "endpoint" in opts:
            fail(99, f"fake gh: two endpoints: {opts['endpoint']} {arg}")
        else:
            opts["endpoint"] = arg
    if opts.get("hostname") != HOST:
        fail(99, f"fake gh: expected --hostname {HOST}, got {opts.get('hostname')}")
    return opts


def answer(state: dict[str, Any], opts: dict[str, Any]) -> None:
    method, endpoint, jq = opts["method"], opts["endpoint"], opts.get("jq")
    rulesets: dict[str, list[dict[str, Any]]] = state.setdefault("rulesets", {})
    if (m := RULESETS.match(endpoint)) and method == "GET":
        found = SELECT_BY_NAME.match(jq or "")
        if not found or "--paginate" not in opts["flags"]:
            fail(99, f"fake gh: unexpected listing {opts}")
        for ruleset in rulesets.get(m.group(1), []):
            if ruleset["name"] == found.group(1):
                print(ruleset["id"])
    elif (m := RULESETS.match(endpoint)) and method == "POST":
        body = json.loads(Path(opts["input"]).read_text())
        state["next_id"] = state.get("next_id", 100) + 1
        rulesets.setdefault(m.group(1), []).append({"id": state["next_id"], "name": body["name"], "body": body})
    elif (m := RULESET.match(endpoint)) and method == "PUT":
        body = json.loads(Path(opts["input"]).read_text())
        for ruleset in rulesets.get(m.group(1), []):
            if ruleset["id"] == int(m.group(2)):
                ruleset.update(name=body["name"], body=body)
                return
        fail(1, "gh: Not Found (HTTP 404)")
    elif (m := CODEOWNERS.match(endpoint)) and method == "GET":
        if "Accept: application/vnd.github.raw+json" not in opts["headers"]:
            fail(99, "fake gh: CODEOWNERS is read raw, not base64 inside JSON")
        text = state.get("codeowners", {}).get(m.group(1))
        if text is None:
            fail(1, "gh: Not Found (HTTP 404)")
        sys.stdout.write(text)
    elif (m := ERRORS.match(endpoint)) and method == "GET":
        if jq != ".errors[].message":
            fail(99, f"fake gh: unexpected filter {jq!r}")
        for message in state.get("codeowners_errors", {}).get(m.group(1), []):
            print(message)
    else:
        fail(99, f"fake gh: no answer for {method} {endpoint}")


def main() -> None:
    path = Path(os.environ["FAKE_GH_STATE"])
    state = json.loads(path.read_text())
    opts = parse(sys.argv[1:])
    state.setdefault("calls", []).append({"method": opts["method"], "endpoint": opts["endpoint"]})
    try:
        answer(state, opts)
    finally:
        path.write_text(json.dumps(state))


if __name__ == "__main__":
    main()
