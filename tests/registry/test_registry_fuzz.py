"""Random mutations of the embedded registry must only ever produce a Registry or a ConfigError: never a
traceback from the YAML library, pydantic or the loader's own code (issue 13)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from platform_constructs.errors import ConfigError
from platform_constructs.registry import parse_registry
from platform_constructs.registry.loader import decode_registry, read_registry_text

TEXT = read_registry_text(None)[1]
LINES = TEXT.splitlines(keepends=True)


def flip_bytes(data: bytes, positions: list[int], values: list[int]) -> bytes:
    out = bytearray(data)
    for position, value in zip(positions, values, strict=False):
        out[position % len(out)] = value
    return bytes(out)


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """The registry with one or more edits of the kinds people (and editors) make."""
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(lines) - 1))
        kind = draw(
            st.sampled_from(
                ["anchor", "alias", "merge", "unquote", "quote", "digits", "delete", "dup", "key", "yaml11", "nest"]
            )
        )
        line = lines[at]
        indent = line[: len(line) - len(line.lstrip())]
        if kind == "anchor" and ": " in line:
            lines[at] = line.replace(": ", ": &x ", 1)
        elif kind == "alias" and ": " in line:
            lines[at] = line.split(": ", 1)[0] + ": *x\n"
        elif kind == "merge":
            lines.insert(at, f"{indent}<<: {draw(st.sampled_from(['*x', '[*x, *x]', '{a: 1}', '1']))}\n")
        elif kind == "unquote":
            lines[at] = line.replace('"', "")
        elif kind == "quote" and ": " in line:
            key, value = line.rstrip("\n").split(": ", 1)
            lines[at] = f"{key}: '{value}'\n"
        elif kind == "digits" and ": " in line:
            lines[at] = line.split(": ", 1)[0] + f": {draw(st.from_regex(r'0?[0-9]{1,14}', fullmatch=True))}\n"
        elif kind == "key":  # a non-string key: a list, a mapping, a number, null
            key = draw(st.sampled_from(["[a, b]", "{a: 1}", "12", "null", "? [a]\n" + indent]))
            lines.insert(at, f"{indent}{key}: 1\n")
        elif kind == "yaml11" and ": " in line:  # YAML 1.1 implicit types, as a value or as a key
            word = draw(
                st.sampled_from(["yes", "off", "~", "2026-01-01", "1.5e3", ".nan", "0x1F", "1_000", "9" * 5000])
            )
            key, value = line.rstrip("\n").split(": ", 1)
            lines[at] = f"{key}: {word}\n" if draw(st.booleans()) else f"{indent}{word}: {value}\n"
        elif kind == "nest":  # deep nesting, block or flow
            depth = draw(st.integers(1, 3_000))
            deep = (
                "".join(f"{indent}{'  ' * i}k{i}:\n" for i in range(depth))
                if draw(st.booleans())
                else (f"{indent}k: {'[' * depth}{']' * depth}\n")
            )
            lines.insert(at, deep)
        elif kind == "delete":
            del lines[at]
        elif kind == "dup":
            lines.insert(at, line)
    text = "".join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp949", "latin-1"]))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        positions = draw(st.lists(st.integers(0, len(data) - 1), min_size=1, max_size=4))
        data = flip_bytes(data, positions, draw(st.lists(st.integers(0, 255), min_size=1, max_size=4)))
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_registries_load_or_raise_config_error(data: bytes) -> None:
    try:
        parse_registry(decode_registry(data, "fuzz.yaml"), "fuzz.yaml")
    except ConfigError as err:
        assert err.problems and "Traceback" not in str(err)
