"""Reading HCL back with python-hcl2 (which keeps string literals quoted, escapes included)."""

from __future__ import annotations

import json
from typing import Any

import hcl2


def unquote(token: str) -> str:
    """The value of an HCL quoted-string token: JSON-compatible escapes plus ``$${`` / ``%%{``."""
    assert token.startswith('"') and token.endswith('"'), token
    return json.loads(token).replace("$${", "${").replace("%%{", "%{")


def parse(text: str) -> dict[str, Any]:
    data: dict[str, Any] = hcl2.loads(text)
    return data


def backend_block(text: str) -> dict[str, Any]:
    terraform = parse(text)["terraform"][0]
    backend = terraform["backend"][0]
    assert list(k for k in backend if k != "__is_block__") == ['"s3"']
    return {k: (unquote(v) if isinstance(v, str) else v) for k, v in backend['"s3"'].items() if k != "__is_block__"}


#: Values that would break out of an HCL string if they were not escaped: quotes, newlines, template sequences.
HOSTILE = [
    'a"b',
    "a\nb",
    '${file("/etc/passwd")}',
    "%{ if true }x%{ endif }",
    "back\\slash",
    "bell\b form\f feed\\b",
    'x"\n  use_lockfile = false\n#',
]
