"""The shell blocks of README.md and docs/, found with Sybil's Markdown lexers and run in a scratch clone.

Why: the docs are the first thing a platform engineer runs, and they drifted from the code when nothing ran
them. Every ``sh``/``bash``/``console`` block is either executed by the suite or carries a marker on the line
before its fence, ``<!-- docs-test: skip "REASON" -->``, with REASON from :data:`SKIP_REASONS`.

How a document runs: its blocks run in order, each in a new ``bash`` at the root of one scratch clone per
document (so a block may use a file an earlier block of the same page wrote). An ``sh`` block runs with
``set -eo pipefail``: a failing command fails the page. A ``console`` block is a transcript: each ``$ `` line
(with ``\\`` continuations) is run, and its combined stdout and stderr must equal the lines shown after it; a line
that is just ``...`` stands for any number of lines.

Sybil (a maintained doc-testing library) provides the CommonMark fence and HTML-comment lexers; the evaluation
is ours, because Sybil evaluates Python and doctest but not shell transcripts.

``python tests/support/doc_blocks.py`` prints how many blocks run and how many are skipped, per reason.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sybil import Document
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer, FencedCodeBlockLexer

REPO = Path(__file__).resolve().parents[2]

#: The only reasons a block may be left unexecuted; anything else is a doc that must be made runnable.
SKIP_REASONS = {
    "needs-aws": "needs AWS credentials and a real account",
    "needs-github": "needs GitHub (an App, a token, or a repository on github.com)",
    "needs-network": "needs the network beyond package registries",
    "runs-suite": "runs the whole test suite (the suite cannot run itself)",
    "slow": "slow (release, bench): run by their own tests or by hand",
}
SHELL_LANGUAGES = frozenset({"sh", "bash", "shell", "console"})
MARKER = re.compile(r'skip "(?P<reason>[^"]*)"')
BLOCK_TIMEOUT_S = 900


@dataclass(frozen=True)
class Block:
    path: Path
    line: int
    language: str
    source: str
    skip: str | None  # the reason, or None when the block runs

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def documents() -> list[Path]:
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]


def blocks(path: Path) -> list[Block]:
    """Every shell block of ``path`` with its marker; a marker that is malformed, has an unknown reason or is
    not directly followed by a shell block raises ValueError naming the line."""
    text = path.read_text(encoding="utf-8")
    document = Document(text, str(path))
    fences = FencedCodeBlockLexer(language=r"[^\n]*", mapping={"language": "language", "source": "source"})
    markers = DirectiveInHTMLCommentLexer(directive="docs-test", arguments=r"[^\n]*?")
    found: list[Block] = []
    pending: tuple[int, str, int] | None = None  # (marker end, reason, line)
    regions = sorted([*fences(document), *markers(document)], key=lambda region: region.start)
    for region in regions:
        line = text.count("\n", 0, region.start) + 1
        if "arguments" in region.lexemes:  # a marker
            match = MARKER.fullmatch(str(region.lexemes["arguments"]).strip())
            if not match or match["reason"] not in SKIP_REASONS:
                raise ValueError(
                    f'{path.relative_to(REPO)}:{line}: marker must be <!-- docs-test: skip "REASON" --> with '
                    f"REASON one of {', '.join(SKIP_REASONS)}"
                )
            pending = (region.end, match["reason"], line)
            continue
        language = str(region.lexemes["language"]).strip().split(" ")[0]
        skip = None
        if pending is not None:
            between = re.sub(r"^\s*-+>", "", text[pending[0] : region.start])  # the lexer stops before -->
            if between.strip():
                raise ValueError(f"{path.relative_to(REPO)}:{pending[2]}: marker is not directly before a block")
            skip, pending = pending[1], None
        if language in SHELL_LANGUAGES:
            found.append(Block(path, line, language, str(region.lexemes["source"]), skip))
        elif skip is not None:
            raise ValueError(f"{path.relative_to(REPO)}:{line}: marker before a {language or 'plain'} block")
    if pending is not None:
        raise ValueError(f"{path.relative_to(REPO)}:{pending[2]}: marker is not followed by a block")
    return found


def transcript(source: str) -> Iterator[tuple[str, list[str]]]:
    """``(command, expected output lines)`` for each ``$ `` command of a console block."""
    command: list[str] | None = None
    expected: list[str] = []
    lines = source.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            if command is not None:
                yield "\n".join(command), expected
            command, expected = [line[2:]], []
            while command[-1].endswith("\\") and i + 1 < len(lines):
                i += 1
                command.append(lines[i])
        elif command is not None:
            expected.append(line)
        i += 1
    if command is not None:
        yield "\n".join(command), expected


def output_matches(expected: list[str], actual: list[str]) -> bool:
    """Line-by-line equality (trailing spaces and blank lines ignored); a ``...`` line matches any lines."""

    def clean(lines: list[str]) -> list[str]:
        out = [line.rstrip() for line in lines]
        while out and not out[-1]:
            out.pop()
        return out

    want, got = clean(expected), clean(actual)

    def match(w: int, g: int) -> bool:
        if w == len(want):
            return g == len(got)
        if want[w] == "...":
            return any(match(w + 1, k) for k in range(g, len(got) + 1))
        return g < len(got) and want[w] == got[g] and match(w + 1, g + 1)

    return match(0, 0)


def scratch_clone(target: Path) -> Path:
    """A clone of the repository at ``target`` with the working tree's uncommitted files copied over, sharing
    the project's environments (``.venv``, ``.venv-checkov``) so nothing is installed."""
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(target)], check=True)
    changed = subprocess.run(
        ["git", "ls-files", "-z", "--modified", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
        text=True,
    ).stdout.split("\0")
    for name in filter(None, changed):
        source, dest = REPO / name, target / name
        if source.is_file():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest)
        elif dest.exists():
            dest.unlink()  # deleted in the working tree
    for env in (".venv", ".venv-checkov"):
        if (REPO / env).is_dir():
            (target / env).symlink_to(REPO / env)
    # make's prerequisites of the environments: as old as the originals, so make never reinstalls them into
    # the shared environment from the scratch clone.
    for name in ("pyproject.toml", "requirements.lock", "requirements-checkov.lock"):
        if (REPO / name).exists() and (target / name).exists():
            stat = (REPO / name).stat()
            os.utime(target / name, (stat.st_atime, stat.st_mtime))
    return target


def run_block(block: Block, root: Path) -> list[str]:
    """Problems found running ``block`` at ``root``; empty when it ran as the page says."""
    env = {**os.environ, "PATH": f"{root / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    for name in (
        "INFRA_PLATFORM",
        "INFRA_EXPLAIN_EXIT",
        "PLATFORM",
        "MAKEFLAGS",
        "PYTEST_XDIST_WORKER",
        "PYTEST_CURRENT_TEST",
    ):
        env.pop(name, None)
    if block.language != "console":
        done = _bash(f"set -eo pipefail\n{block.source}", root, env)
        if done.returncode != 0:
            return [f"{block.where}: exit {done.returncode}\n{done.stdout[-4000:]}"]
        return []
    problems = []
    for command, expected in transcript(block.source):
        done = _bash(command, root, env)
        actual = done.stdout.splitlines()
        if not output_matches(expected, actual):
            shown = "\n".join(actual[:80])
            want = "\n".join(expected)
            problems.append(f"{block.where}: `$ {command}` printed:\n{shown}\n--- the page shows:\n{want}")
    return problems


def _bash(script: str, root: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=BLOCK_TIMEOUT_S,
        check=False,
    )


def census() -> tuple[int, Counter[str]]:
    """(blocks executed, skipped blocks per reason) over every document."""
    run, skipped = 0, Counter[str]()
    for path in documents():
        for block in blocks(path):
            if block.skip:
                skipped[block.skip] += 1
            else:
                run += 1
    return run, skipped


if __name__ == "__main__":
    executed, skipped = census()
    print(f"shell blocks in README.md and docs/: {executed + sum(skipped.values())}")
    print(f"  executed by tests/docs: {executed}")
    for reason, count in sorted(skipped.items()):
        print(f"  skipped, {reason} ({SKIP_REASONS[reason]}): {count}")
    sys.exit(0)
