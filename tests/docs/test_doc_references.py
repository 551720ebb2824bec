"""What the docs name exists: every ``infra`` and ``make`` command with the flags shown, every relative link and
anchor, every registry key (issue 14). Static and fast: nothing here runs a command."""

from __future__ import annotations

import argparse
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from platform_constructs.registry.model import Registry
from platform_tools.cli import build_parser
from support.doc_blocks import REPO, blocks, documents

INLINE_CODE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
LINK = re.compile(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)\)")
#: words that stand for a value the reader fills in: <name>, NAME, FILE, ...
PLACEHOLDER = re.compile(r"^(<[^>]+>|[A-Z][A-Z0-9_]*|\.\.\.)$")


def commands() -> list[tuple[str, str]]:
    """``(where, command line)`` for every ``infra`` / ``make`` command in shell blocks and inline code."""
    found: list[tuple[str, str]] = []
    for path in documents():
        rel = path.relative_to(REPO)
        for block in blocks(path):
            joined = re.sub(r"\\\n\s*", " ", block.source)
            for offset, line in enumerate(joined.splitlines(), start=1):
                found += [(f"{rel}:{block.line + offset}", c) for c in _split_commands(line.removeprefix("$ "))]
        text = path.read_text(encoding="utf-8")
        text_outside_fences = re.sub(r"```.*?```", "", text, flags=re.S)
        for match in INLINE_CODE.finditer(text_outside_fences):
            found += [(f"{rel} (inline)", c) for c in _split_commands(match.group(1))]
    return found


def _split_commands(line: str) -> list[str]:
    line = re.sub(r"(^|\s)#.*$", "", line)  # a shell comment
    out = []
    for piece in re.split(r"\|\||&&|[;|]", line):
        part = re.sub(r"\s\d?>.*$", "", piece).strip()  # redirections
        part = re.sub(r"^(\w+=\S*\s+)+", "", part)  # VAR=value prefixes
        if re.match(r"^(\.venv/bin/|\S*/)?infra(\s|$)", part) or re.match(r"^make(\s|$)", part):
            out.append(part)
    return out


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def check_infra(tokens: list[str]) -> str:
    """Problem with an ``infra ...`` command line, or ""; walks the subcommands, then checks each flag."""
    parser: argparse.ArgumentParser = build_parser()
    rest = tokens[1:]
    while (subs := _subcommands(parser)) and rest and not rest[0].startswith("-"):
        word = rest.pop(0)
        if word not in subs:
            if PLACEHOLDER.match(word):
                return ""
            return f"`{word}` is not a command of `infra {' '.join(tokens[1 : len(tokens) - len(rest) - 1])}`"
        parser = subs[word]
    known = _options(parser)
    for token in rest:
        flag = token.split("=", 1)[0]
        if flag.startswith("--") and flag not in known:
            return f"`{flag}` is not a flag of `{parser.prog}` (it has {', '.join(sorted(known))})"
    return ""


MAKEFILE = (REPO / "Makefile").read_text(encoding="utf-8")
MAKE_TARGETS = set(re.findall(r"^([a-z][a-z-]*):", MAKEFILE, re.M))
MAKE_VARIABLES = set(re.findall(r"\$\(([A-Z_]+)\)", MAKEFILE)) | set(re.findall(r"^([A-Z_]+)\s*\??=", MAKEFILE, re.M))


def check_make(tokens: list[str]) -> str:
    depth = 0  # inside [optional parts]: only VAR=value words are checked, the rest is prose
    for word in tokens[1:]:
        optional = depth > 0 or word.startswith("[")
        depth += word.count("[") - word.count("]")
        token = word.strip("[]")
        if "=" in token:
            name = token.split("=", 1)[0]
            if name not in MAKE_VARIABLES:
                return f"make variable {name} is not used by the Makefile"
        elif token.startswith("-") or optional:
            continue
        elif token not in MAKE_TARGETS and not PLACEHOLDER.match(token):
            return f"`make {token}`: no such target (targets: {', '.join(sorted(MAKE_TARGETS))})"
    return ""


def test_every_infra_and_make_command_in_the_docs_exists_with_its_flags() -> None:
    problems = []
    for where, command in commands():
        try:
            tokens = shlex.split(command)
        except ValueError:
            tokens = command.split()
        tokens[0] = tokens[0].rsplit("/", 1)[-1]
        problem = check_infra(tokens) if tokens[0] == "infra" else check_make(tokens)
        if problem:
            problems.append(f"{where}: {command}\n    {problem}")
    assert not problems, "\n".join(problems)


def test_the_command_checks_catch_what_they_should() -> None:
    assert check_infra(["infra", "registry", "check", "--platform", "x"]) == ""
    assert "not a command" in check_infra(["infra", "registry", "verify"])
    assert "not a flag" in check_infra(["infra", "registry", "check", "--strict"])
    assert "no such target" in check_make(["make", "sinth"]) and "variable" in check_make(
        ["make", "synth", "PLATFROM=x"]
    )
    assert check_make(["make", "synth", "PLATFORM=other.yaml"]) == ""


def slugs(path: Path) -> set[str]:
    """GitHub's anchors for the headings of ``path``: lower case, punctuation dropped, spaces to hyphens,
    repeats numbered."""
    seen: dict[str, int] = {}
    out = set()
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    for raw in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, re.M):
        heading = re.sub(r"`|\*\*|__|\[([^\]]*)\]\([^)]*\)", r"\1", raw)
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        out.add(slug if count == 0 else f"{slug}-{count}")
    return out


def link_problems(path: Path) -> list[str]:
    problems = []
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        resolved = (path.parent / file).resolve() if file else path
        if not resolved.exists():
            problems.append(f"{path.name}: ({target}): no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in slugs(resolved):
            problems.append(f"{path.name}: ({target}): no heading with anchor #{anchor}")
    return problems


def test_every_relative_link_and_anchor_resolves() -> None:
    problems = [problem for path in documents() for problem in link_problems(path)]
    assert not problems, "\n".join(problems)


def test_the_link_check_catches_missing_files_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Using `infra` (the CLI)\n\n## Setup\n\n## Setup\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[a](other.md#using-infra-the-cli) [b](other.md#setup-1) [c](#here) [d](https://x.example/y)\n# Here\n"
        "[bad](missing.md) [bad anchor](other.md#nope)\n```md\n[in a fence](nowhere.md)\n```\n"
    )
    assert link_problems(page) == [
        "page.md: (missing.md): no such file",
        "page.md: (other.md#nope): no heading with anchor #nope",
    ]


def _fields(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    if model in seen:
        return set()
    seen.add(model)
    names = set(model.model_fields)
    for field in model.model_fields.values():
        for inner in _models(field.annotation):
            names |= _fields(inner, seen)
    return names


def _models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _models(arg)]


def test_every_registry_key_is_documented_in_registry_md() -> None:
    text = (REPO / "docs" / "registry.md").read_text(encoding="utf-8")
    documented = {word for span in INLINE_CODE.findall(text) for word in re.findall(r"[a-z_]+", span)}
    missing = sorted(_fields(Registry, set()) - documented)
    assert not missing, f"keys of the registry model not named in docs/registry.md: {', '.join(missing)}"


@pytest.mark.parametrize("page", documents(), ids=[str(p.relative_to(REPO)) for p in documents()])
def test_pages_parse(page: Path) -> None:
    blocks(page)  # markers well formed; a page whose fences do not close would swallow the rest
