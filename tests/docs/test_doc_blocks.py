"""Every shell block in README.md and docs/ runs as the page shows it, or says why it cannot (issue 14).

One test per page: its blocks run in order in one scratch clone (tests/support/doc_blocks.py says how). The
static checks (markers well-formed, reasons from the fixed set) are separate and fast.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.doc_blocks import (
    REPO,
    SKIP_REASONS,
    blocks,
    documents,
    output_matches,
    run_block,
    scratch_clone,
    transcript,
)

PAGES = [path for path in documents() if any(not block.skip for block in blocks(path))]


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(REPO)) for p in PAGES])
def test_every_runnable_block_runs_as_the_page_shows(page: Path, tmp_path: Path) -> None:
    root = scratch_clone(tmp_path / "clone")
    problems: list[str] = []
    for block in blocks(page):
        if block.skip is None:
            problems += run_block(block, root)
    assert not problems, "\n\n".join(problems)


def test_markers_are_well_formed_and_reasons_come_from_the_fixed_set() -> None:
    reasons = {block.skip for path in documents() for block in blocks(path)} - {None}
    assert reasons <= set(SKIP_REASONS)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('<!-- docs-test: skip "because" -->\n```sh\nls\n```\n', "REASON one of"),
        ('<!-- docs-test: skip "slow" -->\n\nSome prose.\n\n```sh\nls\n```\n', "not directly before"),
        ('<!-- docs-test: skip "slow" -->\n```yaml\na: 1\n```\n', "before a yaml block"),
        ('```sh\nls\n```\n<!-- docs-test: skip "slow" -->\n', "not followed by a block"),
    ],
    ids=["unknown-reason", "detached", "not-shell", "dangling"],
)
def test_a_bad_marker_is_an_error_with_its_line(tmp_path: Path, text: str, error: str) -> None:
    page = REPO / "docs" / f".marker-test-{tmp_path.name}.md"  # blocks() names paths relative to the repo
    page.write_text(text)
    try:
        with pytest.raises(ValueError, match=error):
            blocks(page)
    finally:
        page.unlink()


def test_transcripts_split_commands_continuations_and_output() -> None:
    source = "$ echo a \\\n  b\na b\n$ true\n$ printf 'x\\ny\\n'\nx\n...\n"
    assert list(transcript(source)) == [("echo a \\\n  b", ["a b"]), ("true", []), ("printf 'x\\ny\\n'", ["x", "..."])]
    assert output_matches(["x", "...", "z"], ["x", "y1", "y2", "z"]) and output_matches(["x", "..."], ["x"])
    assert not output_matches(["x"], ["x", "extra"]) and not output_matches(["x", "y"], ["x"])
