"""Load ``platform.yaml`` into a :class:`Registry`, turning every mistake into a located, fixable problem."""

from __future__ import annotations

import difflib
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import yaml
import yaml.cyaml
from pydantic import BaseModel, ValidationError

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.registry.model import (
    CROSS_FIELD_MARKER,
    PATTERN_RULES,
    Registry,
    cross_field_problems,
)

ModelT = TypeVar("ModelT", bound=BaseModel)

#: The embedded default registry (org ``acme``); the repository's ``platform.yaml`` links to it.
DEFAULT_REGISTRY = "embedded:platform.yaml"


#: Most YAML nodes that alias expansion may add to the document. PyYAML shares an aliased node instead of
#: copying it, but everything downstream (validation, the model) walks the expanded tree, so a few lines of
#: nested anchors ("billion laughs") would otherwise expand to 10**9 nodes. A 50,000-service registry that
#: merges a 10-key defaults mapping into every service adds about 1,000,000 nodes, well inside the limit.
MAX_ALIAS_EXPANSION = 5_000_000

#: Deepest nesting of lists and mappings a registry may have. The deepest real path is about six levels
#: (``guardrails.network.public_cidrs[0].cidr``); without a bound, a file of a few thousand nested block mappings
#: exhausts Python's recursion limit in the composer.
MAX_DEPTH = 64

#: Longest unquoted digit string read as a number: Python refuses to convert longer ones (``int`` limits
#: decimal strings to 4,300 digits) and no registry number comes close.
MAX_NUMBER_DIGITS = 100

#: Tag given to plain (unquoted) all-digit scalars: YAML 1.1 reads ``012`` as octal 10 and ``089`` as the text
#: "089", so whether a digit string is a number would depend on which digits it has. The loader decides by how
#: the scalar was written instead: unquoted digits are always a number.
_DIGITS_TAG = "tag:platform.local,2026:digits"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
#: Tags a plain scalar gets from its text alone (not from an explicit ``!!tag``): the ones read as text as keys.
_IMPLICIT_TAGS = frozenset(
    {_DIGITS_TAG, *(f"tag:yaml.org,2002:{kind}" for kind in ("bool", "int", "float", "null", "timestamp"))}
)


class PlainNumber(int):
    """An unquoted all-digit YAML scalar: an int (decimal, leading zeros ignored) that remembers its text,
    so an error can show ``0410`` as written instead of YAML 1.1's octal reading of it."""

    text: str

    def __new__(cls, text: str) -> PlainNumber:
        number = super().__new__(cls, int(text, 10))
        number.text = text
        return number


# libyaml's parser is about three times faster on a 50,000-service file than the pure-Python one.
_Parser: Any = getattr(yaml.cyaml, "CParser", None) if yaml.__with_libyaml__ else None
if _Parser is None:  # pragma: no cover - PyYAML built without libyaml

    class _PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)

    _Parser = _PyParser


class StrictLoader(yaml.composer.Composer, _Parser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """A safe loader that refuses duplicate keys (PyYAML silently keeps the last one), bounds alias expansion and
    reads unquoted digit strings as numbers, whatever digits they contain. The composer is PyYAML's Python one
    (listed first, ahead of the C parser's own) because the alias bound hooks into it."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._expanded: dict[int, int] = {}  # id(node) -> nodes in its expansion, for anchored nodes
        self._alias_added = 0
        self._open: set[str] = set()  # anchors of the collections being composed: an alias to one is a cycle
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event: Any = self.peek_event()
            target = self.anchors.get(event.anchor)
            if event.anchor in self._open:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    "an alias refers to the mapping or list that contains it; fix: anchor a smaller part",
                    event.start_mark,
                )
            if target is not None:
                self._alias_added += self._expansion(target)
                if self._alias_added > MAX_ALIAS_EXPANSION:
                    raise yaml.composer.ComposerError(
                        None,
                        None,
                        f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} nodes (a 'billion laughs' "
                        f"document?); fix: use fewer nested anchors",
                        event.start_mark,
                    )
        anchor: str | None = None
        nested = self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent)
        if nested:
            start: Any = self.peek_event()
            anchor = start.anchor
            if self._depth >= MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"lists and mappings nest more than {MAX_DEPTH} levels deep; fix: check the indentation there",
                    start.start_mark,
                )
        if anchor is not None:
            self._open.add(anchor)
        self._depth += nested
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= nested
            if anchor is not None:
                self._open.discard(anchor)

    def _expansion(self, node: yaml.Node) -> int:
        """Nodes in ``node`` with every alias inside it expanded; memoised, so linear in the file's size."""
        known = self._expanded.get(id(node))
        if known is not None:
            return known
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(self._expansion(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(self._expansion(k) + self._expansion(v) for k, v in node.value)
        self._expanded[id(node)] = total
        return total


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:
            continue  # ``<<: *defaults``: explicit keys override merged ones (YAML 1.1), so no duplicate
        if isinstance(key_node, yaml.ScalarNode) and not key_node.style and key_node.tag in _IMPLICIT_TAGS:
            # Every key in the registry is a name, so an unquoted key is its text: an environment called
            # ``on`` or ``no`` stays a name instead of becoming YAML 1.1's true/false.
            key_node.tag = _STR_TAG
        key = loader.construct_object(key_node, deep=deep)
        try:
            first = seen.get(key)
        except TypeError:  # an unhashable key ({[a]: 1}): SafeConstructor reports it with its position
            break
        if first is not None:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first on line {first + 1}); fix: keep one of them (each key may appear once)",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _construct_digits(loader: StrictLoader, node: yaml.ScalarNode) -> PlainNumber:
    if len(node.value) > MAX_NUMBER_DIGITS:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"an unquoted number of {len(node.value):,} digits (at most {MAX_NUMBER_DIGITS}); "
            "fix: quote it if it is text",
            node.start_mark,
        )
    return PlainNumber(node.value)


StrictLoader.add_constructor(_DIGITS_TAG, _construct_digits)
# Before the YAML 1.1 int/float resolvers (first match wins): plain scalars of ASCII digits only.
StrictLoader.yaml_implicit_resolvers = {
    key: list(value) for key, value in yaml.resolver.Resolver.yaml_implicit_resolvers.items()
}
for _digit in "0123456789":
    StrictLoader.yaml_implicit_resolvers[_digit] = [
        (_DIGITS_TAG, re.compile(r"^[0-9]+$")),
        # No registry field is a date: ``2026-01-01`` stays the text it looks like instead of a datetime.date.
        *((tag, rx) for tag, rx in StrictLoader.yaml_implicit_resolvers[_digit] if not tag.endswith(":timestamp")),
    ]


def decode_registry(data: bytes, source: str) -> str:
    """The registry's text: UTF-8, with or without a BOM. Anything else is refused with where and why,
    because a silently mis-decoded byte would end up in a tag or a resource name."""
    utf = _wide_unicode(data)
    if utf:
        raise ConfigError(
            source,
            [
                Problem(
                    "file", f"is {utf}, not UTF-8", fix="save the file as UTF-8 (in most editors: Save As, Encoding)"
                )
            ],
        )
    if data[:2] == b"\x1f\x8b" or b"\x00" in data:
        kind = "a gzip archive" if data[:2] == b"\x1f\x8b" else "binary data (it contains NUL bytes)"
        raise ConfigError(
            source,
            [Problem("file", f"is not a text file: {kind}", fix="pass the platform.yaml text file itself")],
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise ConfigError(
            source,
            [
                Problem(
                    f"line {line}, column {column}",
                    f"is not UTF-8 (byte {data[err.start]:#04x} cannot start or continue a character)",
                    fix="save the file as UTF-8",
                )
            ],
        ) from None


def _wide_unicode(data: bytes) -> str:
    """The name of a UTF-16/32 encoding that ``data`` is in (by byte-order mark, or by the NUL bytes that ASCII
    text has in those encodings), else "". Windows editors save "Unicode" as UTF-16 LE with a mark."""
    for mark, name in (
        (b"\xff\xfe\x00\x00", "UTF-32 LE"),
        (b"\x00\x00\xfe\xff", "UTF-32 BE"),
        (b"\xff\xfe", "UTF-16 LE"),
        (b"\xfe\xff", "UTF-16 BE"),
    ):
        if data.startswith(mark):
            return name
    head = data[:4]
    if len(head) == 4 and head[0] and not head[1] and head[2] and not head[3]:
        return "UTF-16 LE"
    if len(head) == 4 and not head[0] and head[1] and not head[2] and head[3]:
        return "UTF-16 BE"
    return ""


#: The environment variable that names the registry for every entry point (``infra``, make, the cdktf app).
REGISTRY_ENV_VAR = "INFRA_PLATFORM"


def default_registry_path() -> str | None:
    """The registry when no ``--platform`` is given: ``$INFRA_PLATFORM``, else ``./platform.yaml`` when the
    working directory has one (the organisation's registry), else None (the embedded default).

    The one rule every entry point follows (``infra``, make, the cdktf app, the policy runner), so a registry
    named once in the environment is the registry everywhere. A variable naming a missing file is an error, not
    a silent fall-back to another registry.
    """
    named = os.environ.get(REGISTRY_ENV_VAR, "").strip()
    if named:
        if not Path(named).is_file():
            raise ConfigError(
                f"${REGISTRY_ENV_VAR}",
                [
                    Problem(
                        REGISTRY_ENV_VAR,
                        "names a registry file that does not exist",
                        named,
                        f"point it at an existing file, or unset it (unset {REGISTRY_ENV_VAR}) to use "
                        "./platform.yaml or the embedded default",
                    )
                ],
            )
        return named
    return "platform.yaml" if Path("platform.yaml").is_file() else None


def resolve_registry_path(explicit: str | None) -> str | None:
    """``--platform FILE`` when given, else :func:`default_registry_path`."""
    return explicit or default_registry_path()


def read_registry_text(path: str | Path | None) -> tuple[str, str]:
    """Return ``(source label, text)`` for ``path``, or for the embedded default when ``path`` is None."""
    if path is None or str(path) == DEFAULT_REGISTRY:
        data = resources.files("platform_constructs.registry").joinpath("platform.yaml").read_bytes()
        return DEFAULT_REGISTRY, decode_registry(data, DEFAULT_REGISTRY)
    file = Path(path)
    if not file.is_file():
        raise ConfigError(
            str(file),
            [
                Problem(
                    "file",
                    "registry file not found",
                    str(file),
                    "pass an existing file with --platform (or PLATFORM=...)",
                )
            ],
        )
    return str(file), decode_registry(file.read_bytes(), str(file))


def load_registry(path: str | Path | None = None) -> Registry:
    source, text = read_registry_text(path)
    return parse_registry(text, source)


def parse_registry(text: str, source: str = "<string>") -> Registry:
    return validate_registry(load_yaml(text, source), source)


def load_yaml(text: str, source: str = "<string>") -> Any:
    """The document as plain data, read by :class:`StrictLoader`; YAML errors become a located problem."""
    try:
        return yaml.load(text, Loader=StrictLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        detail = getattr(err, "problem", None) or str(err)
        detail, _, fix = detail.partition("; fix: ")  # the loader's own refusals carry their fix
        if detail.startswith("could not determine a constructor for the tag"):
            fix = "remove the tag: the registry holds only text, numbers, true/false, lists and mappings"
        raise ConfigError(
            source, [Problem(where, f"not valid YAML: {detail}", fix=fix or "fix the YAML syntax at that position")]
        ) from None


def validate_registry(data: Any, source: str = "<string>") -> Registry:
    """Loaded data checked against the model and every cross-field rule, all problems in one report."""
    if not isinstance(data, dict):
        raise ConfigError(
            source,
            [
                Problem(
                    "(top level)",
                    "must be a mapping of keys to values",
                    type(data).__name__,
                    "start from the embedded platform.yaml",
                )
            ],
        )
    try:
        return Registry.model_validate(data)
    except ValidationError as err:
        problems = _problems(err)
        # Cross-field rules only run in the model once every field is valid; run them on the raw data
        # too so duplicates and reserved names show up in the same report as field errors.
        *positional, service_envs = _raw_cross_field_inputs(data)
        for line in cross_field_problems(*positional, service_envs=service_envs):
            problem = _cross_field_problem(line)
            if problem not in problems:
                problems.append(problem)
        raise ConfigError(source, problems) from None


def validate_section(model: type[ModelT], data: Any, path: tuple[str, ...], source: str) -> ModelT:
    """One section of the registry (``path``, e.g. ``("guardrails", "cost")``) validated on its own, with the
    same messages as in platform.yaml: for values that reach it from elsewhere (command-line flags)."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ConfigError(source, _problems(err, path)) from None


def _raw_cross_field_inputs(
    data: dict[str, Any],
) -> tuple[Any, Any, Any, list[Any], list[tuple[Any, Any]], list[tuple[int, list[Any]]]]:
    def get(mapping: Any, key: str) -> Any:
        return mapping.get(key) if isinstance(mapping, dict) else None

    services = data.get("services")
    pairs = [(get(s, "name"), get(s, "repo")) for s in services] if isinstance(services, list) else []
    envs = data.get("environments")
    return (
        data.get("org"),
        get(data.get("platform"), "account_id"),
        get(data.get("state_backend"), "key_alias") or "terraform-state-key",
        list(envs) if isinstance(envs, dict) else [],
        [(n, r) for n, r in pairs if isinstance(n, str) and isinstance(r, str)],
        [
            (i, get(s, "environments"))
            for i, s in enumerate(services if isinstance(services, list) else [])
            if isinstance(get(s, "environments"), list)
        ],
    )


def _cross_field_problem(line: str) -> Problem:
    where, _, what = line.partition(": ")
    text, _, fix = what.partition("; fix: ")
    return Problem(where, text, fix=fix)


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that holds the field at ``loc`` (for 'did you mean' on unknown keys)."""
    model: Any = Registry
    for part in loc[:-1]:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(part)
        if field is None:
            # a dict key such as environments.<name>
            return _dict_value_model(model, loc)
        model = _inner_model(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _dict_value_model(model: Any, loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    from platform_constructs.registry.model import Environment

    return Environment if "environments" in loc else None


def _inner_model(annotation: Any) -> Any:
    for arg in (*getattr(annotation, "__args__", ()), annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


_FIXES = {
    "string_pattern_mismatch": "use the format the rule above describes",
    "string_type": "quote the value so YAML reads it as text (account ids: '012345678901')",
    "literal_error": "use one of the allowed values",
    "missing": "add the key",
    "too_short": "add at least one entry",
}


def _problems(err: ValidationError, prefix: tuple[str, ...] = ()) -> list[Problem]:
    problems: list[Problem] = []
    for e in err.errors(include_url=False):
        loc = (*prefix, *e["loc"])
        is_key = bool(loc) and loc[-1] == "[key]"  # pydantic's marker for a bad mapping key
        if is_key:
            loc = loc[:-1]
        path = _path(loc)
        kind = e["type"]
        message = str(e["msg"])
        if kind == "value_error" and CROSS_FIELD_MARKER in message:
            # Lines name paths relative to the model that raised them: prefix the model's own place.
            lines = message.split(CROSS_FIELD_MARKER, 1)[1].splitlines()
            problems += [_cross_field_problem(f"{path}.{line}" if loc else line) for line in lines]
            continue
        if kind == "extra_forbidden":
            model = _model_at(loc)
            known = sorted(model.model_fields) if model else []
            close = difflib.get_close_matches(str(loc[-1]), known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(Problem(path, "unknown key", fix=f"{hint}known keys here: {', '.join(known)}"))
            continue
        if kind == "string_pattern_mismatch":
            pattern = e.get("ctx", {}).get("pattern", "")
            rule = PATTERN_RULES.get(pattern)
            message = f"must be {rule} (rule {pattern})" if rule else f"does not match the rule {pattern}"
        if is_key:
            message = f"the name {message}"
        value = e.get("input")
        if kind == "string_type" and isinstance(value, bool):
            message = "is true/false in YAML (unquoted yes, no, on, off, true and false are booleans): quote it"
            problems.append(Problem(path, message, value, "write the text in quotes, for example 'on'"))
            continue
        if kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
            # Decided by how the scalar was written (unquoted digits are a number), never by which digits.
            text = value.text if isinstance(value, PlainNumber) else str(value)
            lost = "; unquoted numbers lose leading zeros" if isinstance(value, PlainNumber) else ""
            message = f"is a number in YAML: quote it ({text!r}){lost}"
            problems.append(Problem(path, message, fix=f"write it as '{text}'"))
            continue
        fix = _FIXES.get(kind, "")
        if kind == "value_error":
            message = message.removeprefix("Value error, ")  # pydantic's prefix says nothing to the user
            message, _, own_fix = message.partition("; fix: ")  # a validator's fix goes on the fix line
            fix = own_fix or fix
        problems.append(Problem(path, message, e.get("input") if kind != "missing" else None, fix))
    return problems
