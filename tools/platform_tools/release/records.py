"""The three records of a catalog release, read and reconciled before a release does anything.

A release ``vX.Y.Z`` leaves three records:

- the ``## [X.Y.Z] - DATE`` entry of ``modules_out/CHANGELOG.md``: committed, so every clone has it;
- the commit ``release: vX.Y.Z`` on the release branch: every full clone of that branch has it;
- the annotated tag ``vX.Y.Z``: only the clones that fetched it (a fresh clone, a mirror or a CI checkout
  may have none).

The last release is the newest version the CHANGELOG lists, so a clone without tags computes the same next
version as one with them; its interface is read at its release commit (found by its message) or, failing
that, at its tag. Where the records disagree, :func:`reconcile` says which record says what and the fix;
``docs/releasing.md#when-records-disagree`` explains each case.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from platform_constructs.errors import Problem
from platform_tools.release.gitrepo import Git
from platform_tools.release.version import Version

DOCS = "docs/releasing.md"
CATALOG_DIR = "modules_out"
CHANGELOG = f"{CATALOG_DIR}/CHANGELOG.md"
#: the subject of a release commit, exactly as ``infra release`` writes it
RELEASE_SUBJECT = re.compile(r"^release: (v\d+\.\d+\.\d+)$")
_SUBJECT_GREP = r"^release: v[0-9]+\.[0-9]+\.[0-9]+$"
#: a release heading of the CHANGELOG (the same headings ``catalog_ref`` reads), with its date when it has one
ENTRY_HEADING = re.compile(r"^## \[(v?\d+\.\d+\.\d+)\][^\S\n]*(?:-[^\S\n]*(\d{4}-\d{2}-\d{2}))?", re.M)
_NEXT_HEADING = re.compile(r"^## ", re.M)


@dataclass(frozen=True)
class Entry:
    version: Version
    day: date | None
    line: int


def changelog_entries(text: str) -> list[Entry]:
    """The release entries of a CHANGELOG, in file order (newest first when the tool wrote them)."""
    found = []
    for match in ENTRY_HEADING.finditer(text):
        try:
            version = Version.parse(match[1])
            day = date.fromisoformat(match[2]) if match[2] else None
        except ValueError:
            continue
        found.append(Entry(version, day, text.count("\n", 0, match.start()) + 1))
    return found


def entry_text(text: str, version: Version) -> str | None:
    """The entry of ``version`` (its heading up to the next ``## `` heading), or None."""
    for match in ENTRY_HEADING.finditer(text):
        try:
            if Version.parse(match[1]) != version:
                continue
        except ValueError:
            continue
        following = _NEXT_HEADING.search(text, match.end())
        return text[match.start() : following.start() if following else len(text)].rstrip("\n") + "\n"
    return None


@dataclass(frozen=True)
class ReleaseCommit:
    sha: str
    day: str


@dataclass(frozen=True)
class Records:
    entries: dict[Version, list[Entry]]  # CHANGELOG.md at HEAD
    commits: dict[Version, list[ReleaseCommit]]  # `release: vX.Y.Z` commits reachable from HEAD, oldest first
    tags: dict[Version, str]  # every local vX.Y.Z tag -> its commit
    reachable_tags: frozenset[Version]  # the tags whose commit HEAD contains
    head: str
    shallow: bool

    @property
    def newest(self) -> Version | None:
        """The last release: the highest version the CHANGELOG lists."""
        return max(self.entries) if self.entries else None


def read_records(git: Git, changelog_text: str) -> Records:
    entries: dict[Version, list[Entry]] = {}
    for entry in changelog_entries(changelog_text):
        entries.setdefault(entry.version, []).append(entry)
    commits: dict[Version, list[ReleaseCommit]] = {}
    for sha, subject, day in git.release_commits(_SUBJECT_GREP):
        match = RELEASE_SUBJECT.match(subject)
        if match and (version := Version.from_tag(match[1])) is not None:
            commits.setdefault(version, []).append(ReleaseCommit(sha, day))
    tags = {v: sha for tag, sha in git.tag_commits().items() if (v := Version.from_tag(tag)) is not None}
    reachable = frozenset(v for v, _ in git.release_tags(merged=True))
    return Records(entries, commits, tags, reachable, git.head(), git.is_shallow())


@dataclass(frozen=True)
class LastRelease:
    """The newest release the CHANGELOG lists, and the commit whose ``modules_out/`` it released."""

    version: Version
    commit: str
    located_by: str  # "release commit" or "tag"
    tag: str | None  # the commit of its tag; None when this clone has no such tag

    @property
    def described(self) -> str:
        tag = f"tag {self.version.tag}" if self.tag else f"no tag {self.version.tag}"
        found = (
            "its release commit"
            if self.located_by == "release commit"
            else f"its tag (no `release: {self.version.tag}` commit reachable)"
        )
        return f"last release {self.version.tag} ({CHANGELOG}); interface read at {found} {self.commit[:12]}; {tag}"


@dataclass(frozen=True)
class Reconciliation:
    last: LastRelease | None  # None: nothing released yet, or the last release could not be located
    problems: list[Problem]
    release_commits: dict[Version, str]  # each listed version's release commit, where one is known
    located: bool  # False when the CHANGELOG lists a release whose commit cannot be found


def _short(sha: str) -> str:
    return sha[:12]


def _lines(entries: list[Entry]) -> str:
    return ", ".join(str(e.line) for e in entries)


def reconcile(git: Git, records: Records) -> Reconciliation:
    """Every disagreement between the CHANGELOG, the release commits and the tags, each with its fix."""
    problems: list[Problem] = []
    resolved: dict[Version, str] = {}
    ambiguous: set[Version] = set()
    for version, entries in sorted(records.entries.items()):
        if len(entries) > 1:
            problems.append(
                Problem(
                    version.tag,
                    f"{CHANGELOG} lists [{version}] {len(entries)} times (lines {_lines(entries)}): a version is "
                    "released once",
                    None,
                    f"keep the entry of the real release (the lowest, line {entries[-1].line}: a second cut writes "
                    f"its entry above it), delete the other(s) and commit; see {DOCS}#when-records-disagree",
                )
            )
    for version in sorted(set(records.entries) | set(records.commits) | records.reachable_tags):
        tag = version.tag
        listed = version in records.entries
        commits = records.commits.get(version, [])
        tag_commit = records.tags.get(version)
        release_commit: str | None = None
        if len(commits) == 1:
            release_commit = commits[0].sha
        elif len(commits) > 1:
            if tag_commit in {c.sha for c in commits}:
                release_commit = tag_commit  # the tag says which cut is the release
            else:
                ambiguous.add(version)
                where = (
                    f"tag {tag} points at neither ({_short(tag_commit)})"
                    if tag_commit
                    else f"this clone has no tag {tag}"
                )
                cuts = ", ".join(f"{_short(c.sha)} ({c.day})" for c in commits)
                problems.append(
                    Problem(
                        tag,
                        f"{len(commits)} commits named `release: {tag}` are reachable from HEAD ({cuts}) and {where} "
                        "to say which one is the release",
                        None,
                        f"fetch the tags (`git fetch --tags`); if no remote has {tag}, the oldest commit is the "
                        f"release (a later one cut it again): `git tag -a {tag} {_short(commits[0].sha)} -m "
                        f"'Module catalog {tag}'`",
                    )
                )
                continue
        if release_commit is not None:
            resolved[version] = release_commit
        if not listed:
            if version in records.reachable_tags:
                also = (
                    f", although the release commit {_short(release_commit)} `release: {tag}` is reachable too"
                    if release_commit
                    else f", and no commit named `release: {tag}` is reachable"
                )
                problems.append(
                    Problem(
                        tag,
                        f"tag {tag} (on {_short(tag_commit or '')}, reachable from HEAD) marks a release, but "
                        f"{CHANGELOG} lists no [{version}]{also}",
                        None,
                        f"if {tag} was made by mistake and never pushed, delete it (`git tag -d {tag}`); if it was "
                        f"published, the release happened: restore its entry in {CHANGELOG} (the tagged tree has "
                        f"it when the tool made the release: `git show {tag}:{CHANGELOG}`) and commit",
                    )
                )
            else:
                assert release_commit is not None
                tagged = f" (tag {tag} is on {_short(tag_commit)})" if tag_commit else ""
                problems.append(
                    Problem(
                        tag,
                        f"the release commit {_short(release_commit)} `release: {tag}` is reachable from HEAD{tagged}, "
                        f"but {CHANGELOG} lists no [{version}] (an entry deleted by hand, or a release reverted?)",
                        None,
                        "a released version stays released: restore its entry from the release commit "
                        f"(`git show {_short(release_commit)}:{CHANGELOG}`) and commit, then release a higher version",
                    )
                )
            continue
        if release_commit is None:
            continue  # listed without a release commit: see the last release below, and the docs for older ones
        if tag_commit is None:
            if release_commit == records.head:
                message = (
                    f"HEAD is the release commit {_short(release_commit)} `release: {tag}` and {CHANGELOG} lists "
                    f"[{version}], but there is no tag {tag}: the release stopped after its commit, before tagging"
                )
                fix = (
                    f"create only the missing tag: `infra release retag {version}` (running the release again "
                    f"must not, and will not, write a second [{version}] entry); if {tag} was made in another "
                    "clone, `git fetch --tags` instead"
                )
            else:
                message = (
                    f"{CHANGELOG} lists [{version}] and the release commit {_short(release_commit)} "
                    f"`release: {tag}` is reachable from HEAD, but this clone has no tag {tag}"
                )
                fix = (
                    f"fetch the tags (`git fetch --tags`); if no remote has {tag} either, recreate the annotated "
                    f"tag on its release commit with `infra release retag {version}`"
                )
            problems.append(Problem(tag, message, None, fix))
        elif tag_commit != release_commit:
            problems.append(
                Problem(
                    tag,
                    f"tag {tag} points at commit {_short(tag_commit)} `{git.subject(tag_commit)}`, but {CHANGELOG} "
                    f"lists [{version}] and its release commit reachable from HEAD is {_short(release_commit)} "
                    f"`release: {tag}`",
                    None,
                    f"a published tag never moves: if {tag} was pushed, fetch the published one "
                    f"(`git fetch --tags --force`) and, if it still differs, see {DOCS}#when-records-disagree; if it "
                    f"was only ever made in this clone, put it on its release commit: "
                    f"`git tag -d {tag} && infra release retag {version}`",
                )
            )
    last, located = _last_release(git, records, resolved, ambiguous, problems)
    return Reconciliation(last, problems, resolved, located)


def _last_release(
    git: Git, records: Records, resolved: dict[Version, str], ambiguous: set[Version], problems: list[Problem]
) -> tuple[LastRelease | None, bool]:
    version = records.newest
    if version is None:
        return None, True
    if version in ambiguous:
        return None, False  # already reported
    tag = version.tag
    tag_commit = records.tags.get(version)
    if version in resolved:
        commit, located_by = resolved[version], "release commit"
    elif tag_commit is not None:
        commit, located_by = tag_commit, "tag"
    else:
        if records.shallow:
            fix = (
                "this clone is shallow (a CI checkout fetches one commit by default): fetch the history and the "
                "tags (`git fetch --unshallow --tags`; with actions/checkout, `fetch-depth: 0`)"
            )
        else:
            fix = (
                f"fetch the tags (`git fetch --tags`); if the release commit was squashed or reworded by hand, "
                f"find the commit that released [{version}] (`git log -- {CHANGELOG}`), check that its "
                f"{CHANGELOG} lists it, and tag it: `git tag -a {tag} <commit> -m 'Module catalog {tag}'`"
            )
        problems.append(
            Problem(
                tag,
                f"{CHANGELOG} lists [{version}] as the last release, but no commit named `release: {tag}` is "
                f"reachable from HEAD and this clone has no tag {tag}: the interface it released cannot be found "
                "to compute the next version",
                None,
                fix,
            )
        )
        return None, False
    released = git.show_file(commit, CHANGELOG) or ""
    if not any(e.version == version for e in changelog_entries(released)):
        what = (
            f"release commit {_short(commit)}" if located_by == "release commit" else f"tag {tag} (on {_short(commit)})"
        )
        problems.append(
            Problem(
                tag,
                f"the {what} does not list [{version}] in its {CHANGELOG}: it is not the commit that released "
                f"{version}",
                None,
                f"find the commit that released [{version}] (`git log -- {CHANGELOG}`); if {tag} was never pushed, "
                f"`git tag -d {tag}` and tag that commit: `git tag -a {tag} <commit> -m 'Module catalog {tag}'`",
            )
        )
        return None, False
    return LastRelease(version, commit, located_by, tag_commit), True
