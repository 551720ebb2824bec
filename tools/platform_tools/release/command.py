"""Cutting a catalog release: plan (every refusal at once), write, commit, tag, and publish (argparse: cli/release.py).

Order of work, and why: every check runs first and every refusal is reported together, before anything is
written (a refused release leaves the repository as it was). Then the CHANGELOG/UPGRADE files are written,
``modules_out/`` is re-exported (the READMEs pin the new tag), the result is committed and tagged. Only
with ``--publish`` does anything leave the machine: the branch and tag are pushed atomically, then the
GitHub Release is created from the same notes the annotated tag carries.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol, TextIO

from platform_constructs.errors import ConfigError, PlatformError, Problem, RefusedError
from platform_tools.github.client import api_base_url
from platform_tools.release.changelog import Links, ReleaseTexts, render_release
from platform_tools.release.diff import RULES, Change, diff_catalogs, first_release_changes, minimum_bump
from platform_tools.release.gitrepo import Git, scratch_dir
from platform_tools.release.hcl_eval import ExprError
from platform_tools.release.interface import RELEASE_FILES, Catalog, read_catalog
from platform_tools.release.publish import GitHubReleases, PublishError, ReleasePublisher
from platform_tools.release.records import (
    CATALOG_DIR,
    CHANGELOG,
    DOCS,
    LastRelease,
    Records,
    changelog_entries,
    entry_text,
    read_records,
    reconcile,
)
from platform_tools.release.version import FIRST, Bump, Version


class ReleaseRefusedError(RefusedError):
    """A release rule refused: every reason at once, each with its fix; nothing was written.

    ``proposed`` is the version the release would have cut had nothing been refused (None when the refusal is
    about the version itself, or when the last release could not be located): a clone whose only problem is a
    missing tag still shows what the next release is.
    """

    footer = f"  (rules and fixes: {DOCS})"

    def __init__(
        self,
        problems: list[Problem],
        proposed: Version | None = None,
        previous: Version | None = None,
        minimum: Bump | None = None,
    ) -> None:
        self.proposed, self.previous, self.minimum = proposed, previous, minimum
        if proposed is not None:
            level = "first release" if previous is None else f"{proposed.bump_from(previous)} after {previous.tag}"
            self.footer = (
                f"  (once these are fixed, the release is {proposed.tag}: {level}; the minimum computed from the "
                f"interfaces is {minimum})\n{type(self).footer}"
            )
        super().__init__("release refused", problems)


class TagFailedError(PlatformError):
    """The release commit exists but its tag could not be created: ``infra release retag`` finishes the job."""

    exit_code = 2


class RetagRefusedError(RefusedError):
    """``infra release retag`` refused: no tag was created."""

    outcome = "no tag was created"
    footer = f"  (see {DOCS}#when-records-disagree)"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("release retag refused", problems)


class CatalogSeam(Protocol):
    """Freshness of ``modules_out/`` and its re-export: the constructs in the platform repo, a fake in temp repos."""

    def check(self, catalog: Path) -> None:
        """Raise a PlatformError when ``catalog`` differs from a fresh export."""

    def regenerate(self, catalog: Path) -> None:
        """Re-export ``catalog`` in place (the READMEs then pin the version the CHANGELOG just recorded)."""


class CatalogFreshness:
    """The real catalog seam: ``modules_out/`` against a fresh export of the constructs, and re-export."""

    def __init__(self, platform: str | Path | None) -> None:
        self.platform = platform

    def check(self, catalog: Path) -> None:
        from platform_tools.catalog_export import check_catalog

        check_catalog(self.platform, catalog)

    def regenerate(self, catalog: Path) -> None:
        from platform_tools.catalog_export import export_catalog

        export_catalog(self.platform, catalog)


@dataclass(frozen=True)
class Request:
    repo: Path
    version: str | None = None
    bump: str | None = None
    branch: str = "main"
    dry_run: bool = False
    publish: bool = False
    remote: str = "origin"
    day: date = field(default_factory=lambda: datetime.now(UTC).date())


@dataclass(frozen=True)
class Plan:
    version: Version
    previous: Version | None
    changes: list[Change]
    minimum: Bump
    texts: ReleaseTexts
    latest: bool  # the highest release tag once created (GitHub's "latest" badge)
    modules: list[str]
    last: LastRelease | None = None  # where the previous release's interface was read

    @property
    def tag(self) -> str:
        return self.version.tag

    @property
    def first(self) -> bool:
        return self.previous is None


def _forcing(changes: list[Change], above: Bump) -> list[str]:
    return [f"{c.module}: {c.section}: {c.text} [{c.kind}: {RULES[c.kind].meaning}]" for c in changes if c.bump > above]


def _resolve_version(
    req: Request,
    previous: Version | None,
    minimum: Bump,
    changes: list[Change],
    problems: list[Problem],
    *,
    records: Records,
) -> Version | None:
    requested: Version | None = None
    if req.version is not None:
        try:
            requested = Version.parse(req.version)
        except ValueError as err:
            raise ConfigError("release", [Problem("--version", str(err), req.version, "e.g. --version 1.2.0")]) from err
    bump: Bump | None = None
    if req.bump is not None:
        try:
            bump = Bump.parse(req.bump)
        except ValueError as err:
            raise ConfigError("release", [Problem("--bump", str(err), req.bump, "major, minor or patch")]) from err
    if previous is None:
        if (requested is not None and requested != FIRST) or (bump is not None and bump is not Bump.MAJOR):
            shown = requested or f"--bump {bump}"
            problems.append(
                Problem(
                    "version",
                    f"the first release of the catalog is {FIRST.tag} ({CHANGELOG} lists no release); "
                    "0.x versions would promise nothing and the READMEs already pin v1.0.0",
                    str(shown),
                    f"run `make release VERSION={FIRST}` (or leave VERSION/BUMP unset)",
                )
            )
            return None
        return FIRST
    if requested is not None and requested in records.entries:
        day = records.entries[requested][0].day
        problems.append(
            Problem(
                "version",
                f"{requested.tag} is already released: {CHANGELOG} lists [{requested}]"
                + (f" ({day.isoformat()})" if day else "")
                + "; a released version is never cut again",
                str(requested),
                f"release a version above the last release {previous.tag}: "
                f"{previous.bumped(max(minimum, Bump.PATCH)).tag} is the lowest this change allows",
            )
        )
        return None
    if requested is not None:
        version = requested
    elif bump is not None:
        version = previous.bumped(bump)
    elif minimum is Bump.NONE:
        return None
    else:
        version = previous.bumped(minimum)
    level = version.bump_from(previous)
    if level is Bump.NONE:
        problems.append(
            Problem(
                "version",
                f"{version.tag} is not greater than the last release {previous.tag} (the newest {CHANGELOG} lists)",
                str(version),
                f"choose a version above {previous.tag}: {previous.bumped(max(minimum, Bump.PATCH)).tag} is the "
                "lowest this change allows",
            )
        )
        return None
    if level < minimum:
        forcing = _forcing(changes, level)
        listing = "".join(f"\n        {line}" for line in forcing)
        problems.append(
            Problem(
                "version",
                f"{version.tag} is a {level} release, but the changes since {previous.tag} need at least a "
                f"{minimum} release; these changes force it:{listing}",
                str(version),
                f"release {previous.bumped(minimum).tag} (`make release BUMP={minimum}`), or undo the listed "
                "changes (for an address change: add a `moved` block; for a new resource: put it behind a "
                "switch that defaults to off)",
            )
        )
        return None
    return version


def _read_catalog_at(git: Git, rev: str, scratch: Path) -> tuple[Catalog, dict[str, str]]:
    """The catalog and its release files (CHANGELOG/UPGRADE) as committed at ``rev``."""
    if not git.path_exists_at(rev, CATALOG_DIR):
        return Catalog({}, {}), {}
    root = git.export_tree(rev, CATALOG_DIR, scratch)
    texts = {name: (root / name).read_text() if (root / name).is_file() else "" for name in RELEASE_FILES}
    try:
        return read_catalog(root), texts
    except ExprError as err:
        shown = str(err).replace(str(scratch), f"{rev}:")
        raise ConfigError(
            "release",
            [Problem(CATALOG_DIR, f"the HCL at {rev} does not parse", shown, "run `make modules` and commit")],
        ) from err


def plan_release(req: Request, catalog: CatalogSeam, links: Links) -> Plan:
    """Every check and every text of the release; writes nothing (the dry run is this plus printing)."""
    git = Git(req.repo)
    if not git.is_repository() or not git.has_commits():
        raise ConfigError(
            "release",
            [Problem("--repo", "not a git repository with commits", str(req.repo), "run it in the platform repo")],
        )
    problems: list[Problem] = []
    branch = git.branch()
    if branch != req.branch:
        problems.append(
            Problem(
                "branch",
                f"releases are cut from `{req.branch}`, HEAD is on "
                + (f"`{branch}`" if branch else "a detached commit"),
                branch,
                f"`git switch {req.branch}` and pull; for a hotfix line pass --branch <it> "
                f"(see {DOCS}#hotfix-from-an-older-tag)",
            )
        )
    dirty = git.dirty()
    if dirty:
        listing = "".join(f"\n        {line}" for line in dirty[:20]) + (
            f"\n        ... and {len(dirty) - 20} more" if len(dirty) > 20 else ""
        )
        problems.append(
            Problem(
                "working tree",
                f"uncommitted or untracked files (a release tags exactly what is committed):{listing}",
                None,
                "commit them (or stash / delete them) and run the release again",
            )
        )
    with scratch_dir("release-") as tmp:
        new_catalog, release_texts = _read_catalog_at(git, "HEAD", Path(tmp) / "head")
        if not new_catalog.modules:
            raise ConfigError(
                "release",
                [Problem(CATALOG_DIR, "no module (folder with versions.tf) committed", None, "run `make modules`")],
            )
        # the records first: the last release is the newest the CHANGELOG lists, never "the newest tag"
        records = read_records(git, release_texts.get("CHANGELOG.md", ""))
        reconciled = reconcile(git, records)
        problems += reconciled.problems
        last = reconciled.last
        previous = records.newest
        changes: list[Change] = []
        # not located: the last release's interface cannot be found, so no diff and no version (a problem says why)
        if reconciled.located and last is None:
            changes = first_release_changes(new_catalog)
        elif last is not None:
            old_catalog, _ = _read_catalog_at(git, last.commit, Path(tmp) / "previous")
            changes = diff_catalogs(old_catalog, new_catalog)
    minimum = Bump.MAJOR if previous is None else minimum_bump(changes)
    if last is not None and not changes and last.tag is not None:
        problems.append(
            Problem(
                CATALOG_DIR,
                f"nothing to release: no file of {CATALOG_DIR}/ changed since {last.version.tag} "
                "(CHANGELOG.md and UPGRADE.md aside)",
                None,
                "change a module first; a release without a change would only move consumers' pins",
            )
        )
    version = (
        _resolve_version(req, previous, minimum, changes, problems, records=records) if reconciled.located else None
    )
    if version is not None and git.tag_exists(version.tag):
        problems.append(
            Problem(
                "version",
                f"tag {version.tag} already exists",
                str(version),
                "choose the next free version (`git tag -l 'v*'` lists the releases); never move a released tag",
            )
        )
    try:
        catalog.check(req.repo / CATALOG_DIR)
    except PlatformError as err:
        problems.append(
            Problem(
                CATALOG_DIR,
                f"differs from a fresh export of the constructs: {err}",
                None,
                "run `make modules`, commit modules_out/, then release",
            )
        )
    if req.publish and not req.dry_run:
        if not os.environ.get("GITHUB_TOKEN"):
            problems.append(
                Problem(
                    "GITHUB_TOKEN",
                    "--publish needs a token to create the GitHub Release",
                    None,
                    "export GITHUB_TOKEN=<a token with contents: write on the repository>",
                )
            )
        if git.remote_url(req.remote) is None:
            problems.append(
                Problem("--remote", f"no git remote named `{req.remote}`", req.remote, "git remote add or --remote")
            )
    if problems:
        if version is not None and any(p.path in {"version", version.tag} for p in problems):
            version = None  # the refusal is about that very number: do not announce it
        raise ReleaseRefusedError(problems, version, previous, minimum if version is not None else None)
    assert version is not None
    all_tags = git.release_tags(merged=False)
    texts = render_release(
        changelog_text=release_texts.get("CHANGELOG.md", ""),
        upgrade_text=release_texts.get("UPGRADE.md", ""),
        changes=changes,
        version=version,
        previous=previous,
        day=req.day,
        modules=sorted(new_catalog.modules),
        links=links,
    )
    latest = not all_tags or version > all_tags[-1][0]
    return Plan(version, previous, changes, minimum, texts, latest, sorted(new_catalog.modules), last)


def describe(plan: Plan, out: TextIO) -> None:
    level = "first release" if plan.first else str(plan.version.bump_from(plan.previous))  # type: ignore[arg-type]
    since = f" after {plan.previous.tag}" if plan.previous else ""
    print(f"release {plan.tag} ({level}{since}; minimum computed from the interfaces: {plan.minimum})", file=out)
    if plan.last is not None:
        print(plan.last.described, file=out)
    print(f"{len(plan.changes)} change(s):", file=out)
    for c in plan.changes:
        print(f"  {c.bump!s:<5}  {c.module:<12} {c.kind:<28} {c.text}", file=out)


def apply_release(req: Request, plan: Plan, catalog: CatalogSeam) -> str:
    """Write, re-export, commit, tag. On a failure before the tag exists the files are restored."""
    git = Git(req.repo)
    root = req.repo / CATALOG_DIR
    try:
        (root / "CHANGELOG.md").write_text(plan.texts.changelog)
        (root / "UPGRADE.md").write_text(plan.texts.upgrade)
        catalog.regenerate(root)
        commit = git.commit_paths([CATALOG_DIR], f"release: {plan.tag}")
    except BaseException:
        git.restore([CATALOG_DIR])
        raise
    try:
        git.annotated_tag(plan.tag, plan.texts.notes, commit)
    except PlatformError as err:
        raise TagFailedError(
            f'committed {commit[:12]} "release: {plan.tag}", but creating the tag {plan.tag} failed:\n{err}\n'
            f"  fix: create only the missing tag with `infra release retag {plan.version}` (running the release "
            f"again would refuse: the CHANGELOG already lists [{plan.version}])"
        ) from err
    return commit


def publish(req: Request, tag: str, notes: str, *, latest: bool, publisher: ReleasePublisher, out: TextIO) -> None:
    git = Git(req.repo)
    refs = [f"refs/tags/{tag}"]
    branch = git.branch()
    if branch == req.branch:
        refs.insert(0, f"refs/heads/{branch}")
    try:
        git.push(req.remote, refs)
    except PlatformError as err:
        raise PublishError(
            f"pushing {' and '.join(refs)} to `{req.remote}` failed (nothing was pushed: the push is atomic):\n"
            f"{err}\n  fix: pull and resolve, or fix access; the local tag stays; then `infra release publish {tag}`"
        ) from err
    print(f"pushed {', '.join(refs)} to {req.remote}", file=out)
    result = publisher.publish(tag, tag, notes, latest=latest)
    print(f"GitHub Release {'created' if result.created else 'updated'}: {result.url}", file=out)


def links_and_publisher(
    platform: str | Path | None, api_url: str | None
) -> tuple[Links, Callable[[], ReleasePublisher]]:
    from platform_constructs.registry import load_registry

    github = load_registry(platform).github
    links = Links(web=f"https://{github.host}/{github.owner}/{github.platform_repo}", source=github.catalog_source)

    def publisher() -> ReleasePublisher:
        return GitHubReleases(
            api_base_url(github.host, api_url), github.owner, github.platform_repo, os.environ["GITHUB_TOKEN"]
        )

    return links, publisher


def release(
    req: Request,
    catalog: CatalogSeam,
    links: Links,
    publisher: Callable[[], ReleasePublisher] | None = None,
    out: TextIO = sys.stdout,
) -> Plan:
    plan = plan_release(req, catalog, links)
    describe(plan, out)
    if req.dry_run:
        print(f"\n--- {CATALOG_DIR}/CHANGELOG.md: new entry ---\n{plan.texts.entry}", file=out)
        if plan.texts.upgrade_section:
            print(f"--- {CATALOG_DIR}/UPGRADE.md: new section ---\n{plan.texts.upgrade_section}", file=out)
        print(f"--- release notes (tag message and GitHub Release) ---\n{plan.texts.notes}", file=out)
        steps = [
            f"write {CATALOG_DIR}/CHANGELOG.md and UPGRADE.md",
            f"re-export {CATALOG_DIR}/ (READMEs pin {plan.tag})",
            f'commit "release: {plan.tag}" on {req.branch}',
            f"create the annotated tag {plan.tag}",
        ]
        if req.publish:
            steps += [f"push {req.branch} and {plan.tag} to {req.remote}", "create the GitHub Release"]
        print("dry run: nothing was written. Without --dry-run it would " + "; ".join(steps) + ".", file=out)
        return plan
    commit = apply_release(req, plan, catalog)
    print(f'committed {commit[:12]} "release: {plan.tag}" and tagged {plan.tag}', file=out)
    if req.publish:
        assert publisher is not None
        publish(req, plan.tag, plan.texts.notes, latest=plan.latest, publisher=publisher(), out=out)
    else:
        print(
            f"not published: run `infra release publish {plan.tag}` (or `git push --atomic {req.remote} "
            f"{req.branch} {plan.tag}` and create the GitHub Release) when ready",
            file=out,
        )
    return plan


def publish_existing(
    req: Request, tag: str, publisher: Callable[[], ReleasePublisher], out: TextIO = sys.stdout
) -> None:
    """Push an existing release tag and create/update its GitHub Release from the tag's own message."""
    git = Git(req.repo)
    version = Version.from_tag(tag)
    problems = []
    if version is None or not git.tag_exists(tag):
        problems.append(Problem("tag", "no release tag of that name", tag, "`git tag -l 'v*'` lists the releases"))
    if not os.environ.get("GITHUB_TOKEN"):
        problems.append(Problem("GITHUB_TOKEN", "publishing needs a token", None, "export GITHUB_TOKEN=..."))
    if git.remote_url(req.remote) is None:
        problems.append(Problem("--remote", f"no git remote named `{req.remote}`", req.remote, "--remote NAME"))
    if problems:
        raise ConfigError("release publish", problems)
    assert version is not None
    all_tags = git.release_tags(merged=False)
    publish(req, tag, git.tag_message(tag), latest=version >= all_tags[-1][0], publisher=publisher(), out=out)


def _regenerated_notes(
    git: Git, records: Records, version: Version, commit: str, *, links: Links, tmp: Path
) -> str | None:
    """The notes the release put in its tag, regenerated from the release commit's parent the way the release
    computed them; None unless the regenerated CHANGELOG entry is the committed one (hand edits, a changed
    tool or registry links would make them differ)."""
    released = git.show_file(commit, CHANGELOG) or ""
    entry = entry_text(released, version)
    day = next((e.day for e in changelog_entries(released) if e.version == version), None)
    parent = git.rev_commit(f"{commit}^")
    if entry is None or day is None or parent is None:
        return None
    try:
        new_catalog, texts = _read_catalog_at(git, parent, tmp / "before")
        earlier = [e.version for e in changelog_entries(texts.get("CHANGELOG.md", "")) if e.version < version]
        previous = max(earlier, default=None)
        if previous is None:
            changes = first_release_changes(new_catalog)
        else:
            cuts = records.commits.get(previous, [])
            base = cuts[0].sha if len(cuts) == 1 else records.tags.get(previous)
            if base is None:
                return None
            old_catalog, _ = _read_catalog_at(git, base, tmp / "previous")
            changes = diff_catalogs(old_catalog, new_catalog)
        rendered = render_release(
            changelog_text=texts.get("CHANGELOG.md", ""),
            upgrade_text=texts.get("UPGRADE.md", ""),
            changes=changes,
            version=version,
            previous=previous,
            day=day,
            modules=sorted(new_catalog.modules),
            links=links,
        )
    except (PlatformError, ValueError):
        return None
    return rendered.notes if rendered.entry.strip() == entry.strip() else None


def _entry_notes(version: Version, entry: str, commit: str, links: Links) -> str:
    heading, _, body = entry.partition("\n")
    return (
        f"# Module catalog {version.tag}\n\n{body.strip()}\n\n"
        f"This tag was recreated by `infra release retag` on the release commit {commit[:12]}; its message is the "
        f"release's CHANGELOG entry ({heading.removeprefix('## ')}).\n\n"
        f"## Links\n\n- [CHANGELOG]({links.blob(version.tag, 'CHANGELOG.md')})\n"
    )


def retag(req: Request, version_text: str, links: Links, out: TextIO | None = None) -> str:
    """Recreate a release's missing annotated tag on its release commit (found by its message), and nothing else.

    Refuses when no single commit ``release: vX.Y.Z`` is reachable from HEAD, when that commit's CHANGELOG does
    not list the version, when the tag exists on another commit, or when the remote already has the tag (fetch
    it instead: a second tag object of the same name would never push). Returns the tagged commit.
    """
    out = out or sys.stdout  # resolved per call: a captured stdout is seen
    try:
        version = Version.parse(version_text)
    except ValueError as err:
        raise ConfigError(
            "release retag", [Problem("version", str(err), version_text, "e.g. `infra release retag 1.0.0`")]
        ) from err
    git = Git(req.repo)
    if not git.is_repository() or not git.has_commits():
        raise ConfigError(
            "release retag",
            [Problem("--repo", "not a git repository with commits", str(req.repo), "run it in the platform repo")],
        )
    tag = version.tag
    records = read_records(git, git.show_file("HEAD", CHANGELOG) or "")
    cuts = records.commits.get(version, [])
    if not cuts:
        fix = (
            "this clone is shallow: fetch the history first (`git fetch --unshallow --tags`)"
            if records.shallow
            else f"fetch the tags (`git fetch --tags`); a release whose commit was squashed or reworded is tagged by "
            f"hand: `git tag -a {tag} <commit> -m 'Module catalog {tag}'` (see {DOCS}#when-records-disagree)"
        )
        raise RetagRefusedError(
            [
                Problem(
                    tag,
                    f"no commit named `release: {tag}` is reachable from HEAD: retag only recreates the tag of a "
                    "release that `infra release` committed",
                    None,
                    fix,
                )
            ]
        )
    if len(cuts) > 1:
        listed = ", ".join(f"{c.sha[:12]} ({c.day})" for c in cuts)
        raise RetagRefusedError(
            [
                Problem(
                    tag,
                    f"{len(cuts)} commits named `release: {tag}` are reachable from HEAD ({listed}): retag cannot "
                    "tell which one is the release",
                    None,
                    f"fetch the tags (`git fetch --tags`); if no remote has {tag}, the oldest is the release: "
                    f"`git tag -a {tag} {cuts[0].sha[:12]} -m 'Module catalog {tag}'`",
                )
            ]
        )
    commit = cuts[0].sha
    problems: list[Problem] = []
    released = git.show_file(commit, CHANGELOG) or ""
    if not any(e.version == version for e in changelog_entries(released)):
        problems.append(
            Problem(
                tag,
                f"the commit {commit[:12]} `release: {tag}` does not list [{version}] in its {CHANGELOG}: it is not "
                f"the release of {version}",
                None,
                f"find the commit that released [{version}] (`git log -- {CHANGELOG}`) and tag it by hand: "
                f"`git tag -a {tag} <commit> -m 'Module catalog {tag}'`",
            )
        )
    existing = records.tags.get(version)
    if existing == commit and not problems:
        print(f"tag {tag} is already on its release commit {commit[:12]}: nothing to do", file=out)
        return commit
    if existing is not None and existing != commit:
        problems.append(
            Problem(
                tag,
                f"tag {tag} already exists on commit {existing[:12]} `{git.subject(existing)}`, not on the release "
                f"commit {commit[:12]} `release: {tag}`",
                None,
                f"a published tag never moves: if {tag} was pushed, leave it and see {DOCS}#when-records-disagree; if "
                f"it was only ever made in this clone, delete it (`git tag -d {tag}`) and run the retag again",
            )
        )
    if git.remote_url(req.remote) is not None:
        try:
            published = git.remote_tag(req.remote, tag)
        except PlatformError as err:
            published = None
            print(f"note: could not read the tags of `{req.remote}` (not checked):\n{err}", file=out)
        if published is not None:
            problems.append(
                Problem(
                    tag,
                    f"the remote `{req.remote}` has the tag {tag}: a tag recreated here would be a second, different "
                    "tag object of the same name",
                    None,
                    f"fetch the published tag instead: `git fetch {req.remote} tag {tag}`",
                )
            )
    if problems:
        raise RetagRefusedError(problems)
    with scratch_dir("retag-") as tmp:
        notes = _regenerated_notes(git, records, version, commit, links=links, tmp=Path(tmp))
    how = "the release notes, regenerated from the parent of the release commit and checked against its entry"
    if notes is None:
        notes = _entry_notes(version, entry_text(released, version) or f"## [{version}]\n", commit, links)
        how = "the release's CHANGELOG entry, as the release notes could not be regenerated to match it"
    git.annotated_tag(tag, notes, commit)
    print(f'tagged {commit[:12]} "release: {tag}" as {tag} (annotated; message: {how})', file=out)
    print(
        f"not pushed: `git push {req.remote} {tag}`, or `infra release publish {tag}` to push it and create or "
        "update its GitHub Release",
        file=out,
    )
    return commit
