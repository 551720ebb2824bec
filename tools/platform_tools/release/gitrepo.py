"""The git operations a release needs, through the ``git`` command (the engineer's own git and config).

Read commands run with ``GIT_OPTIONAL_LOCKS=0`` so that ``git status`` does not refresh the index: a dry
run must leave ``.git`` byte-identical, not just the working tree.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path

from platform_constructs.errors import PlatformError
from platform_tools.release.version import Version


class GitError(PlatformError):
    """A git command failed; its own message is included."""

    exit_code = 2


class Git:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _run(self, *args: str, check: bool = True, text: bool = True) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
        proc = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=text, check=False)
        if check and proc.returncode != 0:
            raise GitError(f"git {' '.join(args)} failed in {self.root}:\n{proc.stderr.strip() or proc.stdout.strip()}")
        return proc

    def run(self, *args: str) -> str:
        return self._run(*args).stdout

    def is_repository(self) -> bool:
        return self._run("rev-parse", "--is-inside-work-tree", check=False).returncode == 0

    def toplevel(self) -> Path:
        return Path(self.run("rev-parse", "--show-toplevel").strip())

    def has_commits(self) -> bool:
        return self._run("rev-parse", "--verify", "-q", "HEAD", check=False).returncode == 0

    def branch(self) -> str | None:
        """The checked-out branch; None on a detached HEAD."""
        proc = self._run("symbolic-ref", "--short", "-q", "HEAD", check=False)
        return proc.stdout.strip() or None

    def dirty(self) -> list[str]:
        """``git status --porcelain`` lines: modified, staged and untracked files (ignored files are not)."""
        out = self.run("status", "--porcelain=v1", "--untracked-files=all")
        return [line for line in out.splitlines() if line.strip()]

    def tag_exists(self, tag: str) -> bool:
        return self._run("rev-parse", "--verify", "-q", f"refs/tags/{tag}", check=False).returncode == 0

    def release_tags(self, *, merged: bool) -> list[tuple[Version, str]]:
        """``vX.Y.Z`` tags (all, or only those reachable from HEAD), lowest first."""
        args = ["tag", "--list", "v*"] + (["--merged", "HEAD"] if merged else [])
        found = [(v, t) for t in self.run(*args).splitlines() if (v := Version.from_tag(t.strip())) is not None]
        return sorted(found)

    def export_tree(self, rev: str, subdir: str, dest: Path) -> Path:
        """Extract ``subdir`` as it is at ``rev`` into ``dest`` (git archive: no checkout, no index change)."""
        proc = subprocess.run(
            ["git", "archive", "--format=tar", rev, "--", subdir],
            cwd=self.root,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0:
            raise GitError(f"git archive {rev} -- {subdir} failed:\n{proc.stderr.decode(errors='replace').strip()}")
        with tarfile.open(fileobj=io.BytesIO(proc.stdout)) as tar:
            tar.extractall(dest, filter="data")
        return dest / subdir

    def path_exists_at(self, rev: str, path: str) -> bool:
        return self._run("cat-file", "-e", f"{rev}:{path}", check=False).returncode == 0

    def remote_url(self, remote: str) -> str | None:
        proc = self._run("remote", "get-url", remote, check=False)
        return proc.stdout.strip() or None if proc.returncode == 0 else None

    def head(self) -> str:
        return self.run("rev-parse", "HEAD").strip()

    # -- writes (only after every check passed) -----------------------------------------------------------
    def commit_paths(self, paths: list[str], message: str) -> str:
        self.run("add", "-A", "--", *paths)
        self.run("commit", "-q", "-m", message, "--", *paths)
        return self.head()

    def annotated_tag(self, tag: str, message: str) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write(message)
            path = handle.name
        try:
            # verbatim: the notes are markdown, whose headings start with '#' (git strips those by default)
            self.run("tag", "-a", tag, "-F", path, "--cleanup=verbatim")
        finally:
            os.unlink(path)

    def tag_message(self, tag: str) -> str:
        return self.run("tag", "-l", "--format=%(contents)", tag).rstrip("\n") + "\n"

    def restore(self, paths: list[str]) -> None:
        """Undo uncommitted writes under ``paths`` (the tree was clean when the release started)."""
        self._run("restore", "--source=HEAD", "--staged", "--worktree", "--", *paths, check=False)
        self._run("clean", "-fdq", "--", *paths, check=False)

    def push(self, remote: str, refs: list[str]) -> None:
        """Push every ref or none (``--atomic``): the remote never holds a tag without its branch."""
        self.run("push", "--atomic", "--porcelain", remote, *refs)


def scratch_dir(prefix: str) -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix=prefix)
