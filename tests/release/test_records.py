"""The release records (CHANGELOG entries, ``release: vX.Y.Z`` commits, tags) on real git repositories.

Only the branch is shared: ``origin`` is released and tagged in one clone and pushed, without its tags, to a bare
repository standing in for the shared remote; a fresh clone of that remote has every CHANGELOG entry and release
commit and no tag. A release there must compute what the tagged clone computes, refuse until the tags are back,
and ``infra release retag`` must put them back, on the right commits and with the same notes.
"""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from platform_tools.release.command import (
    ReleaseRefusedError,
    RetagRefusedError,
    TagFailedError,
    plan_release,
    release,
    retag,
)
from platform_tools.release.gitrepo import Git, GitError
from platform_tools.release.version import Bump
from support.release import LINKS, Seam, commit_all, copy_repo, git, git_env, request, snapshot

BREAKING = 'variable "owner" {\n  description = "Owner."\n  type        = string\n}\n'
OPTIONAL = 'variable "note" {\n  description = "A note."\n  type        = string\n  default     = null\n}\n'


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    git_env(monkeypatch)


def _append(repo: Path, text: str) -> None:
    path = repo / "modules_out" / "box" / "variables.tf"
    path.write_text(path.read_text() + "\n" + text)


@pytest.fixture(scope="module")
def origin(baseline: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v1.0.0 (records made by hand), v2.0.0 cut by the tool (notes in its tag), then an unreleased new input."""
    with pytest.MonkeyPatch.context() as mp:
        git_env(mp)
        root = tmp_path_factory.mktemp("records")
        repo = copy_repo(baseline, root / "origin")
        _append(repo, BREAKING)
        commit_all(repo, "box: owner is required")
        release(request(repo), Seam(), LINKS, out=io.StringIO())
        _append(repo, OPTIONAL)
        commit_all(repo, "box: an optional note")
        shared = root / "shared.git"
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(shared)], check=True)
        git(repo, "push", "-q", str(shared), "main")  # the branch only: tags reach no other clone
        return repo


def _shared(origin: Path) -> Path:
    return origin.parent / "shared.git"


def _tagless_clone(origin: Path, dest: Path, *args: str) -> Path:
    source = f"file://{_shared(origin)}" if args else str(_shared(origin))
    subprocess.run(["git", "clone", "-q", *args, "-b", "main", source, str(dest)], check=True)
    assert git(dest, "tag", "-l") == ""
    return dest


def _refused(repo: Path, **kwargs: object) -> ReleaseRefusedError:
    before = snapshot(repo)
    with pytest.raises(ReleaseRefusedError) as caught:
        release(request(repo, **kwargs), Seam(), LINKS, out=io.StringIO())
    assert snapshot(repo) == before, "a refused release wrote something"
    assert caught.value.exit_code == 3
    return caught.value


def _sha(repo: Path, rev: str) -> str:
    return git(repo, "rev-parse", f"{rev}^{{commit}}").strip()


def _release_commit(repo: Path, version: str) -> str:
    return git(repo, "log", "-1", "--format=%H", f"--grep=^release: v{version}$").strip()


def _tag_message(repo: Path, tag: str) -> str:
    return git(repo, "tag", "-l", "--format=%(contents)", tag).rstrip("\n")


def test_a_tagless_clone_refuses_with_the_fix_and_computes_the_same_release(origin: Path, tmp_path: Path) -> None:
    tagged = plan_release(request(origin, dry_run=True), Seam(), LINKS)
    assert (tagged.version.tag, tagged.minimum) == ("v2.1.0", Bump.MINOR)
    clone = _tagless_clone(origin, tmp_path / "clone")
    v1, v2 = _release_commit(clone, "1.0.0"), _release_commit(clone, "2.0.0")

    refused = _refused(clone, dry_run=True)
    message = str(refused)
    assert (
        f"  - v1.0.0: modules_out/CHANGELOG.md lists [1.0.0] and the release commit {v1[:12]} `release: v1.0.0` is "
        "reachable from HEAD, but this clone has no tag v1.0.0\n"
        "      fix: fetch the tags (`git fetch --tags`); if no remote has v1.0.0 either, recreate the annotated tag "
        "on its release commit with `infra release retag 1.0.0`\n"
    ) in message
    assert f"the release commit {v2[:12]} `release: v2.0.0`" in message and "`infra release retag 2.0.0`" in message
    assert "first release" not in message and "2 problem(s)" in message
    # the same number as the tagged clone, from the CHANGELOG and the release commit found by its message
    assert (refused.proposed, refused.previous, refused.minimum) == (tagged.version, tagged.previous, Bump.MINOR)
    assert "(once these are fixed, the release is v2.1.0: minor after v2.0.0;" in message

    # asking for a listed version is refused as a re-cut, not offered as a first release
    message = str(_refused(clone, version="2.0.0", dry_run=True))
    assert "v2.0.0 is already released: modules_out/CHANGELOG.md lists [2.0.0] (2026-12-01)" in message
    assert "v2.1.0 is the lowest this change allows" in message
    message = str(_refused(clone, version="1.0.0"))
    assert "v1.0.0 is already released" in message and "the first release of the catalog" not in message


def test_retag_recreates_each_tag_on_its_release_commit_and_the_plans_then_agree(origin: Path, tmp_path: Path) -> None:
    clone = _tagless_clone(origin, tmp_path / "clone")
    head = _sha(clone, "HEAD")
    out = io.StringIO()
    assert retag(request(clone), "2.0.0", LINKS, out=out) == _sha(origin, "v2.0.0")
    assert retag(request(clone), "v1.0.0", LINKS, out=out) == _sha(origin, "v1.0.0")
    for tag in ("v1.0.0", "v2.0.0"):
        assert git(clone, "cat-file", "-t", tag) == "tag\n"  # annotated
        assert _sha(clone, tag) == _sha(origin, tag)
    # v2.0.0 was cut by the tool: its notes are regenerated to the byte
    assert _tag_message(clone, "v2.0.0") == _tag_message(origin, "v2.0.0")
    v2 = _sha(origin, "v2.0.0")
    assert f'tagged {v2[:12]} "release: v2.0.0" as v2.0.0 (annotated; message: the release notes' in out.getvalue()
    # v1.0.0's entry was written by hand: the tag carries the entry itself, and says so
    notes = _tag_message(clone, "v1.0.0")
    assert notes.startswith("# Module catalog v1.0.0\n\nReleased by hand for the tests.")
    assert "recreated by `infra release retag` on the release commit" in notes
    assert "message: the release's CHANGELOG entry, as the release notes could not be regenerated" in out.getvalue()
    # retag writes nothing else: no file, no commit, no push
    assert git(clone, "status", "--porcelain") == "" and _sha(clone, "HEAD") == head
    assert git(_shared(origin), "tag", "-l") == ""
    again = io.StringIO()
    retag(request(clone), "2.0.0", LINKS, out=again)
    assert "tag v2.0.0 is already on its release commit" in again.getvalue()

    tagged = plan_release(request(origin, dry_run=True), Seam(), LINKS)
    out = io.StringIO()
    plan = release(request(clone, dry_run=True), Seam(), LINKS, out=out)
    assert (plan.version, plan.previous, plan.minimum) == (tagged.version, tagged.previous, tagged.minimum)
    assert [(c.kind, c.text) for c in plan.changes] == [(c.kind, c.text) for c in tagged.changes]
    assert (plan.texts.entry, plan.texts.notes) == (tagged.texts.entry, tagged.texts.notes)
    assert (
        f"last release v2.0.0 (modules_out/CHANGELOG.md); interface read at its release commit "
        f"{_sha(origin, 'v2.0.0')[:12]}; tag v2.0.0"
    ) in out.getvalue()


def test_retag_refuses_a_tag_on_another_commit_a_missing_release_commit_and_a_published_tag(
    origin: Path, tmp_path: Path
) -> None:
    clone = _tagless_clone(origin, tmp_path / "clone")
    release_commit, head = _release_commit(clone, "2.0.0"), _sha(clone, "HEAD")
    git(clone, "tag", "-a", "v2.0.0", "-m", "made on the wrong commit")  # on HEAD, not on the release commit
    before = snapshot(clone)
    with pytest.raises(RetagRefusedError) as caught:
        retag(request(clone), "2.0.0", LINKS, out=io.StringIO())
    assert snapshot(clone) == before and caught.value.exit_code == 3
    assert (
        f"tag v2.0.0 already exists on commit {head[:12]} `box: an optional note`, not on the release commit "
        f"{release_commit[:12]} `release: v2.0.0`"
    ) in str(caught.value)
    assert "`git tag -d v2.0.0`" in str(caught.value) and "a published tag never moves" in str(caught.value)
    # the release names the same disagreement
    message = str(_refused(clone, dry_run=True))
    assert (
        f"  - v2.0.0: tag v2.0.0 points at commit {head[:12]} `box: an optional note`, but modules_out/CHANGELOG.md "
        f"lists [2.0.0] and its release commit reachable from HEAD is {release_commit[:12]} `release: v2.0.0`\n"
    ) in message
    assert "`git tag -d v2.0.0 && infra release retag 2.0.0`" in message

    with pytest.raises(RetagRefusedError) as caught:
        retag(request(clone), "3.0.0", LINKS, out=io.StringIO())
    assert "no commit named `release: v3.0.0` is reachable from HEAD" in str(caught.value)
    with pytest.raises(Exception, match="not a version"):
        retag(request(clone), "3.0", LINKS, out=io.StringIO())

    # a remote has v1.0.0 after all: fetch it, do not make a second tag object of that name
    upstream = tmp_path / "upstream.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(upstream)], check=True)
    git(origin, "push", "-q", str(upstream), "main", "v1.0.0")
    git(clone, "remote", "add", "upstream", str(upstream))
    with pytest.raises(RetagRefusedError) as caught:
        retag(request(clone, remote="upstream"), "1.0.0", LINKS, out=io.StringIO())
    assert "the remote `upstream` has the tag v1.0.0" in str(caught.value)
    assert "`git fetch upstream tag v1.0.0`" in str(caught.value)
    assert git(clone, "tag", "-l") == "v2.0.0\n"


def test_a_failure_between_commit_and_tag_then_a_rerun_offers_only_the_retag(
    origin: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = copy_repo(origin, tmp_path / "repo")
    planned = plan_release(request(repo, dry_run=True), Seam(), LINKS)

    def fail(self: Git, tag: str, message: str, rev: str = "HEAD") -> None:
        raise GitError(f"git tag -a {tag} failed: injected")

    with monkeypatch.context() as mp:
        mp.setattr(Git, "annotated_tag", fail)
        with pytest.raises(TagFailedError) as caught:
            release(request(repo), Seam(), LINKS, out=io.StringIO())
    head = _sha(repo, "HEAD")
    assert str(caught.value).startswith(f'committed {head[:12]} "release: v2.1.0", but creating the tag v2.1.0 failed')
    assert "`infra release retag 2.1.0`" in str(caught.value) and caught.value.exit_code == 2
    assert git(repo, "log", "-1", "--format=%s") == "release: v2.1.0\n" and git(repo, "tag", "-l", "v2.1.0") == ""
    assert git(repo, "status", "--porcelain") == ""

    # the re-run writes no second entry: it finds the release commit without its tag and names the retag
    message = str(_refused(repo))
    assert (
        f"  - v2.1.0: HEAD is the release commit {head[:12]} `release: v2.1.0` and modules_out/CHANGELOG.md lists "
        "[2.1.0], but there is no tag v2.1.0: the release stopped after its commit, before tagging\n"
        "      fix: create only the missing tag: `infra release retag 2.1.0` (running the release again must not, "
        "and will not, write a second [2.1.0] entry)"
    ) in message
    assert "1 problem(s)" in message and "nothing to release" not in message
    assert "v2.1.0 is already released" in str(_refused(repo, version="2.1.0"))
    assert (repo / "modules_out" / "CHANGELOG.md").read_text().count("## [2.1.0]") == 1

    retag(request(repo), "2.1.0", LINKS, out=io.StringIO())
    assert _sha(repo, "v2.1.0") == head
    assert _tag_message(repo, "v2.1.0") == planned.texts.notes.rstrip("\n")  # what the release would have written
    assert "nothing to release: no file of modules_out/ changed since v2.1.0" in str(_refused(repo))


def test_a_tag_without_a_changelog_entry_is_refused(origin: Path, tmp_path: Path) -> None:
    repo = copy_repo(origin, tmp_path / "repo")
    git(repo, "tag", "-a", "v2.1.0", "-m", "tagged by hand")
    head = _sha(repo, "HEAD")
    message = str(_refused(repo, dry_run=True))
    assert (
        f"  - v2.1.0: tag v2.1.0 (on {head[:12]}, reachable from HEAD) marks a release, but modules_out/CHANGELOG.md "
        "lists no [2.1.0], and no commit named `release: v2.1.0` is reachable\n"
        "      fix: if v2.1.0 was made by mistake and never pushed, delete it (`git tag -d v2.1.0`); if it was "
        "published, the release happened: restore its entry in modules_out/CHANGELOG.md"
    ) in message
    assert "tag v2.1.0 already exists" in message  # and the computed version is taken


def changelog_of(repo: Path) -> Path:
    return repo / "modules_out" / "CHANGELOG.md"


def test_a_changelog_entry_without_its_release_commit(origin: Path, tmp_path: Path) -> None:
    # an older entry copied from another line (a hotfix) has no release commit here: accepted
    repo = copy_repo(origin, tmp_path / "hotfix")
    text = changelog_of(repo).read_text()
    changelog_of(repo).write_text(text.replace("## [1.0.0]", "## [1.0.1] - 2026-11-30\n\nA hotfix.\n\n## [1.0.0]"))
    commit_all(repo, "CHANGELOG: the v1.0.1 entry of the 1.x line")
    assert plan_release(request(repo, dry_run=True), Seam(), LINKS).version.tag == "v2.1.0"

    # the newest entry, written by hand without a release: nothing says where its interface is
    repo = copy_repo(origin, tmp_path / "by-hand")
    text = changelog_of(repo).read_text()
    changelog_of(repo).write_text(text.replace("## [2.0.0]", "## [2.1.0] - 2026-12-02\n\nBy hand.\n\n## [2.0.0]"))
    commit_all(repo, "CHANGELOG: an entry written by hand")
    message = str(_refused(repo, dry_run=True))
    assert (
        "  - v2.1.0: modules_out/CHANGELOG.md lists [2.1.0] as the last release, but no commit named "
        "`release: v2.1.0` is reachable from HEAD and this clone has no tag v2.1.0: the interface it released "
        "cannot be found to compute the next version\n"
        "      fix: fetch the tags (`git fetch --tags`); if the release commit was squashed or reworded by hand"
    ) in message

    # a shallow CI checkout has the CHANGELOG but neither the release commits nor the tags
    shallow = _tagless_clone(origin, tmp_path / "shallow", "--depth", "1")
    message = str(_refused(shallow, dry_run=True))
    assert "lists [2.0.0] as the last release, but no commit named `release: v2.0.0` is reachable" in message
    assert "this clone is shallow" in message and "`git fetch --unshallow --tags`" in message


def test_a_release_commit_without_its_entry_and_a_second_cut_are_refused(origin: Path, tmp_path: Path) -> None:
    repo = copy_repo(origin, tmp_path / "removed")
    changelog = repo / "modules_out" / "CHANGELOG.md"
    text = changelog.read_text()
    start = text.index("## [2.0.0]")
    changelog.write_text(text[:start] + text[text.index("## [1.0.0]") :])
    commit_all(repo, "CHANGELOG: the v2.0.0 entry removed by hand")
    release_commit = _sha(repo, "v2.0.0")
    message = str(_refused(repo, dry_run=True))
    assert (
        f"  - v2.0.0: tag v2.0.0 (on {release_commit[:12]}, reachable from HEAD) marks a release, but "
        f"modules_out/CHANGELOG.md lists no [2.0.0], although the release commit {release_commit[:12]} "
        "`release: v2.0.0` is reachable too\n"
    ) in message
    assert "once these are fixed" not in message  # the version it would compute, v2.0.0, is the disagreement
    shared = _shared(origin)
    git(repo, "push", "-q", str(shared), "main:removed")
    clone = tmp_path / "removed-clone"
    subprocess.run(["git", "clone", "-q", "-b", "removed", str(shared), str(clone)], check=True)
    git(shared, "branch", "-D", "removed")
    git(clone, "switch", "-q", "-c", "main")
    message = str(_refused(clone, dry_run=True))
    assert (
        f"  - v2.0.0: the release commit {release_commit[:12]} `release: v2.0.0` is reachable from HEAD, but "
        "modules_out/CHANGELOG.md lists no [2.0.0] (an entry deleted by hand, or a release reverted?)\n"
        "      fix: a released version stays released: restore its entry from the release commit "
        f"(`git show {release_commit[:12]}:modules_out/CHANGELOG.md`) and commit, then release a higher version"
    ) in message

    # what the old tool did in a clone without tags: a second entry and a second release commit of v2.0.0
    clone = _tagless_clone(origin, tmp_path / "recut")
    changelog = clone / "modules_out" / "CHANGELOG.md"
    text = changelog.read_text()
    changelog.write_text(text.replace("## [2.0.0]", "## [2.0.0] - 2026-12-05\n\nCut again.\n\n## [2.0.0]", 1))
    commit_all(clone, "release: v2.0.0")
    message = str(_refused(clone, dry_run=True))
    assert "modules_out/CHANGELOG.md lists [2.0.0] 2 times" in message
    assert "2 commits named `release: v2.0.0` are reachable from HEAD" in message
    with pytest.raises(RetagRefusedError, match="retag cannot tell which one is the release"):
        retag(request(clone), "2.0.0", LINKS, out=io.StringIO())


def test_cli_wires_retag(origin: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from platform_tools.cli import build_parser
    from platform_tools.cli.release import cmd_release_retag

    clone = _tagless_clone(origin, tmp_path / "clone")
    args = build_parser().parse_args(["release", "retag", "1.0.0", "--repo", str(clone), "--remote", "origin"])
    assert (args.func, args.version, args.remote) == (cmd_release_retag, "1.0.0", "origin")
    assert args.func(args) == 0
    assert '"release: v1.0.0" as v1.0.0' in capsys.readouterr().out
    assert _sha(clone, "v1.0.0") == _sha(origin, "v1.0.0")
