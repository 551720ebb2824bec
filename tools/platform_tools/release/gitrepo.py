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

from platform_constructs.errors import PlatformError, PrerequisiteError
from platform_tools.release.version import Version


class GitError(PlatformError):
    """A git command failed; its own message is included."""

    exit_code = 2


class Git:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _run(self, *args: str, check: bool = True, text: bool = True) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
        try:
            proc = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=text, check=False)
        except FileNotFoundError:
            raise PrerequisiteError("git is not installed (not found on PATH)\n      fix: install git") from None
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

    def tag_commits(self) -> dict[str, str]:
        """Every ``v*`` tag and the commit it points at (annotated tags peeled)."""
        out = self.run("for-each-ref", "--format=%(refname:short) %(objectname) %(*objectname)", "refs/tags/v*")
        found: dict[str, str] = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) >= 2:
                found[parts[0]] = parts[-1]  # the peeled commit of an annotated tag comes last
        return found

    def release_commits(self, message: str) -> list[tuple[str, str, str]]:
        """``(sha, subject, date)`` of the commits reachable from HEAD whose subject matches the extended regex
        ``message`` (``git log --grep``: it may match any line, the caller checks the subject), oldest first."""
        out = self.run("log", "--reverse", "-E", f"--grep={message}", "--format=%H%x00%s%x00%cs", "HEAD")
        rows = [line.split("\0") for line in out.splitlines() if line]
        return [(row[0], row[1], row[2]) for row in rows if len(row) == 3]

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository").strip() == "true"

    def rev_commit(self, rev: str) -> str | None:
        proc = self._run("rev-parse", "--verify", "-q", f"{rev}^{{commit}}", check=False)
        return proc.stdout.strip() or None if proc.returncode == 0 else None

    def show_file(self, rev: str, path: str) -> str | None:
        """The text of ``path`` as committed at ``rev``; None when it is not there."""
        proc = self._run("show", f"{rev}:{path}", check=False)
        return proc.stdout if proc.returncode == 0 else None

    def subject(self, rev: str) -> str:
        return self.run("log", "-1", "--format=%s", rev).strip()

    def remote_tag(self, remote: str, tag: str) -> str | None:
        """The object ``refs/tags/<tag>`` names on ``remote`` (None when it has no such tag); GitError when the
        remote cannot be read."""
        out = self.run("ls-remote", "--tags", remote, f"refs/tags/{tag}")
        return out.split()[0] if out.strip() else None

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

    def annotated_tag(self, tag: str, message: str, rev: str = "HEAD") -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write(message)
            path = handle.name
        try:
            # verbatim: the notes are markdown, whose headings start with '#' (git strips those by default)
            self.run("tag", "-a", tag, "-F", path, "--cleanup=verbatim", rev)
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
