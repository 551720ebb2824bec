"""Add a service to ``platform.yaml`` in place: every byte of the file outside the new entry stays as it was.

Why a splice instead of a round-trip library. Onboarding edits the organisation's registry by command, and the
file's comments, order, quoting and anchors are the platform team's. Round-trip YAML libraries re-emit the whole
document, normalising indentation, quotes and line width on the way, and ruamel.yaml's round-trip loader, the
usual choice, was measured at 24 s for a 50,000-service file and quadratic with merge keys (29 s for 4,000
services that merge a defaults entry). This module instead reads the file with the registry's own strict
loader, finds where the ``services`` list ends from the parser's positions, inserts the new entry there in the
style of the existing entries, and then proves the edit: the result must load to exactly the old registry plus
the new service and pass every registry rule, or nothing is written. One YAML library (PyYAML) reads and edits.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.registry.loader import StrictLoader, decode_registry, load_yaml, validate_registry
from platform_constructs.registry.model import Service

#: Line breaks as YAML (and libyaml) counts lines: CRLF is one break; NEL, LS and PS are breaks too.
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")

#: Text that may stay unquoted: it reads back as the same string under the registry loader (checked as well).
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9_./@+-]*")

#: Keys first in the order the docs write a service; any others follow in the model's order.
_KEY_ORDER = tuple(Service.model_fields)


def append_service(text: str, service: Mapping[str, Any], source: str = "<string>") -> str:
    """``text`` with ``service`` added as the last entry of ``services``; raises ConfigError (naming the field)
    if the file or the result breaks a registry rule, or if the edit cannot be made without touching other text.
    The file is parsed twice (before and after), never emitted: nothing outside the entry can change."""
    old, services = _read(text, source)
    entry = {key: service[key] for key in sorted(service, key=_key_rank)}
    newline = m.group(0) if (m := _BREAK.search(text)) and m.group(0) in ("\n", "\r\n") else "\n"
    at, insert = _insertion(text, services, entry, newline)
    edited = text[:at] + insert + text[at:]
    try:
        new = yaml.load(edited, Loader=StrictLoader)
    except yaml.YAMLError:
        new = None
    if new != {**old, "services": [*old["services"], _as_loaded(entry)]}:
        raise ConfigError(
            source,
            [
                Problem(
                    "services",
                    "cannot be extended in place without changing other text (an unusual layout of the list)",
                    fix=f"add the entry by hand as services[{len(old['services'])}]",
                )
            ],
        )
    validate_registry(new, source)  # every rule, on the result: the old entries, the new one, duplicates
    return edited


def add_service(path: str | Path, service: Mapping[str, Any]) -> None:
    """Add ``service`` to the registry file at ``path``, keeping its byte-order mark and line ends; the file is
    replaced atomically, so it is either the old file or the complete new one."""
    file = Path(path)
    data = file.read_bytes()
    text = decode_registry(data, str(file))
    edited = append_service(text, service, str(file))
    out = (b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b"") + edited.encode("utf-8")
    handle, temp = tempfile.mkstemp(prefix=f".{file.name}.", dir=file.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(out)
        os.chmod(temp, file.stat().st_mode & 0o7777)
        os.replace(temp, file)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _key_rank(key: str) -> tuple[int, str]:
    return (_KEY_ORDER.index(key), "") if key in _KEY_ORDER else (len(_KEY_ORDER), key)


def _read(text: str, source: str) -> tuple[dict[str, Any], yaml.SequenceNode]:
    """The file's data and its ``services`` node, from one parse; a file that is not a registry with a
    services list gets the loader's own report (the edit never starts on a broken file)."""
    loader = StrictLoader(text)
    try:
        root = loader.get_single_node()
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError:
        data = root = None
    finally:
        loader.dispose()
    if isinstance(root, yaml.MappingNode) and isinstance(data, dict):
        for key, value in root.value:
            is_list = isinstance(value, yaml.SequenceNode) and isinstance(data.get("services"), list)
            if isinstance(key, yaml.ScalarNode) and key.value == "services" and is_list and value.value:
                return data, value
    validate_registry(load_yaml(text, source), source)  # raises the located problem
    raise ConfigError(  # pragma: no cover - a valid registry always has a non-empty services list
        source, [Problem("services", "is not a list of services", fix="start from the embedded platform.yaml")]
    )


def _offset(text: str, mark: Any) -> int:
    """Character offset of a parser mark, from its line and column (the same for libyaml and PyYAML)."""
    start = 0
    for _ in range(mark.line):
        found = _BREAK.search(text, start)
        assert found is not None
        start = found.end()
    return start + mark.column


def _content_end(node: yaml.Node) -> Any:
    """Where the last character of ``node``'s own text is: for block collections, the end of their last value
    (a block collection's end mark sits at the next token, after comments that belong to what follows)."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False) or not node.value:
        return node.end_mark
    last = node.value[-1]
    children = last if isinstance(node, yaml.MappingNode) else (last,)
    # An alias's node carries the anchor's (earlier) marks: the latest child is the real end.
    return max((_content_end(child) for child in children), key=lambda mark: (mark.line, mark.column))


def _insertion(text: str, services: yaml.SequenceNode, entry: dict[str, Any], newline: str) -> tuple[int, str]:
    if services.flow_style:  # services: [{...}, {...}]: before the closing bracket
        close = _offset(text, services.end_mark) - 1
        return close, ", " + _flow(entry)
    end = _content_end(services)
    at = _offset(text, end)
    if end.column != 0:  # to the end of that line, past a trailing comment
        found = _BREAK.search(text, at)
        at = found.end() if found else len(text)
    lead = "" if at == 0 or text[at - 1] in "\n\r\x85\u2028\u2029" else newline  # a last line without a break
    dash = " " * services.start_mark.column
    first = services.value[0]
    if isinstance(first, yaml.MappingNode) and first.flow_style:
        return at, f"{lead}{dash}- {_flow(entry)}{newline}"
    indent = " " * (first.start_mark.column - services.start_mark.column - 1)
    lines = [f"{dash}{'-' if i == 0 else ' '}{indent}{key}: {_flow(v)}" for i, (key, v) in enumerate(entry.items())]
    return at, lead + newline.join(lines) + newline


def _flow(value: Any) -> str:
    """``value`` in YAML flow style, quoted wherever a plain scalar would read back differently."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value if _PLAIN.fullmatch(value) and _reads_as(value) else json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_flow(str(k))}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    raise ConfigError(
        "service entry",
        [Problem("value", "is not text, a number, true/false, a list or a mapping", value, "pass plain values")],
    )


def _reads_as(value: str) -> bool:
    return yaml.load(f"k: {value}\n", Loader=StrictLoader) == {"k": value}


def _as_loaded(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _as_loaded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_loaded(item) for item in value]
    return value
