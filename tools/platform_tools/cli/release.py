"""``infra release``: cut a semver release of the module catalog that cannot under-state its changes.

Every check runs first and every refusal is reported together, before anything is written (a refused release
leaves the repository as it was). Then the CHANGELOG/UPGRADE files are written, ``modules_out/`` is re-exported
(the READMEs pin the new tag), the result is committed and tagged. Only with ``--publish`` does anything leave
the machine: the branch and tag are pushed atomically, then the GitHub Release is created from the same notes the
annotated tag carries. ``infra release publish TAG`` re-runs that last step for an existing tag.

The last release is the newest version modules_out/CHANGELOG.md lists (every clone has it), not the newest tag
(a fresh clone, a mirror or a CI checkout may have none); the next version is computed from it, and the interface
diff reads modules_out/ at its `release: vX.Y.Z` commit. Before anything else the three records (CHANGELOG
entries, `release: vX.Y.Z` commits reachable from HEAD, vX.Y.Z tags) are reconciled: where they disagree (a
missing tag, a tag without an entry, a tag on another commit, ...) the release is refused with the fix.
``infra release retag X.Y.Z`` recreates a missing tag on its release commit and does nothing else.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path

from platform_tools.cli.common import registry_path


def _repo(value: str | None) -> Path:
    from platform_tools.release.gitrepo import Git

    start = Path(value or ".").resolve()
    git = Git(start)
    return git.toplevel() if git.is_repository() else start


def cmd_release(args: argparse.Namespace) -> int:
    from platform_constructs.errors import ConfigError, Problem
    from platform_tools.release.command import CatalogFreshness, Request, links_and_publisher, release

    platform = registry_path(args.platform)
    links, publisher = links_and_publisher(platform, args.api_url)
    if args.date:
        try:
            day = date.fromisoformat(args.date)
        except ValueError as err:
            raise ConfigError("release", [Problem("--date", str(err), args.date, "YYYY-MM-DD")]) from err
    else:
        day = datetime.now(UTC).date()
    req = Request(
        repo=_repo(args.repo),
        version=args.version or None,
        bump=args.bump or None,
        branch=args.branch,
        dry_run=args.dry_run,
        publish=args.publish,
        remote=args.remote,
        day=day,
    )
    release(req, CatalogFreshness(platform), links, publisher)
    return 0


def cmd_release_publish(args: argparse.Namespace) -> int:
    from platform_tools.release.command import Request, links_and_publisher, publish_existing

    _, publisher = links_and_publisher(registry_path(args.platform), args.api_url)
    req = Request(repo=_repo(args.repo), branch=args.branch, remote=args.remote, publish=True)
    publish_existing(req, args.tag, publisher)
    return 0


def cmd_release_retag(args: argparse.Namespace) -> int:
    from platform_tools.release.command import Request, links_and_publisher, retag

    links, _ = links_and_publisher(registry_path(args.platform), None)
    retag(Request(repo=_repo(args.repo), remote=args.remote), args.version, links)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """``infra release`` (cut a release), ``infra release publish TAG`` (push + GitHub Release, re-runnable) and
    ``infra release retag VERSION`` (recreate a missing tag on its release commit)."""
    p = sub.add_parser(
        "release",
        help="cut a semver release of modules_out/ (CHANGELOG, UPGRADE, tag); refuses an under-stated bump "
        "and records that disagree",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--version", help="the version to release, X.Y.Z or vX.Y.Z (default: the computed minimum)")
    which.add_argument("--bump", choices=["major", "minor", "patch"], help="bump the last release by this level")
    p.add_argument("--dry-run", action="store_true", help="print changes, CHANGELOG, UPGRADE, notes; write nothing")
    p.add_argument("--publish", action="store_true", help="also push branch and tag, and create the GitHub Release")
    p.add_argument("--branch", default="main", help="the release branch HEAD must be on (default: main)")
    p.add_argument("--remote", default="origin", help="git remote to push to with --publish (default: origin)")
    p.add_argument("--repo", help="repository root (default: the git repository of the working directory)")
    p.add_argument("--platform", help="registry file: github host/owner/platform_repo for links and publishing")
    p.add_argument("--api-url", help="GitHub API base URL (default: $GITHUB_API_URL, else from github.host)")
    p.add_argument("--date", help="release date YYYY-MM-DD (default: today, UTC)")
    p.set_defaults(func=cmd_release)
    rsub = p.add_subparsers(dest="release_command")
    q = rsub.add_parser("publish", help="push an existing release tag and create or update its GitHub Release")
    q.add_argument("tag", help="the release tag, e.g. v1.0.0")
    q.add_argument("--branch", default="main", help="also push this branch when it is checked out (default: main)")
    q.add_argument("--remote", default="origin", help="git remote (default: origin)")
    q.add_argument("--repo", help="repository root (default: the git repository of the working directory)")
    q.add_argument("--platform", help="registry file (github host/owner/platform_repo)")
    q.add_argument("--api-url", help="GitHub API base URL (default: $GITHUB_API_URL, else from github.host)")
    q.set_defaults(func=cmd_release_publish)
    r = rsub.add_parser(
        "retag",
        help="recreate a release's missing annotated tag on its `release: vX.Y.Z` commit (and nothing else)",
        description="Create the annotated tag vX.Y.Z on the commit `release: vX.Y.Z` reachable from HEAD, after "
        "checking that the modules_out/CHANGELOG.md of that commit lists X.Y.Z. The message is the release notes, "
        "regenerated from the release commit (or its CHANGELOG entry when they cannot be regenerated to match it). "
        "Refuses when the tag exists on another commit, when no single release commit is found, or when the "
        "remote already has the tag (fetch it: `git fetch --tags`). Writes no file, makes no commit, pushes "
        "nothing.",
    )
    r.add_argument("version", help="the released version, X.Y.Z or vX.Y.Z (as modules_out/CHANGELOG.md lists it)")
    r.add_argument("--remote", default="origin", help="refuse when this remote already has the tag (default: origin)")
    r.add_argument("--repo", help="repository root (default: the git repository of the working directory)")
    r.add_argument("--platform", help="registry file (github host/owner/platform_repo for the notes' links)")
    r.set_defaults(func=cmd_release_retag)
