"""``infra release`` as a whole on real git repositories: refusals, dry run, writing, tagging, publishing.

Every refusal must leave the repository exactly as it was (files and ``.git``), and name the fix.
Publishing goes to a bare repository standing in for the remote and to a fake GitHub API on 127.0.0.1.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from platform_tools.release.command import (
    ReleaseRefusedError,
    plan_release,
    publish_existing,
    release,
)
from platform_tools.release.publish import GitHubReleases, PublishError
from platform_tools.release.version import Bump
from support.fake_github import FakeGitHub
from support.release import (
    LINKS,
    Seam,
    commit_all,
    copy_repo,
    git,
    git_env,
    request,
    snapshot,
    write_catalog,
)

BREAKING = 'variable "owner" {\n  description = "Owner."\n  type        = string\n}\n'


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    git_env(monkeypatch)


def _with_change(baseline: Path, tmp_path: Path, text: str = BREAKING) -> Path:
    repo = copy_repo(baseline, tmp_path / "repo")
    path = repo / "modules_out" / "box" / "variables.tf"
    path.write_text(path.read_text() + "\n" + text)
    commit_all(repo, "change")
    return repo


def _refused(repo: Path, **kwargs: object) -> str:
    before = snapshot(repo)
    with pytest.raises(ReleaseRefusedError) as caught:
        release(request(repo, **kwargs), Seam(), LINKS, out=io.StringIO())
    assert snapshot(repo) == before, "a refused release wrote something"
    assert caught.value.exit_code == 3
    return str(caught.value)


def test_understated_bump_is_refused_with_the_changes_that_force_it(baseline: Path, tmp_path: Path) -> None:
    repo = _with_change(baseline, tmp_path)
    message = _refused(repo, bump="minor")
    assert "v1.1.0 is a minor release, but the changes since v1.0.0 need at least a major release" in message
    assert "box: Added: required variable `owner`" in message and "variable-required-added" in message
    assert "make release BUMP=major" in message
    assert "v1.0.1 is a patch release" in _refused(repo, version="1.0.1")


def test_computed_minimum_and_a_higher_request_are_accepted(baseline: Path, tmp_path: Path) -> None:
    repo = _with_change(baseline, tmp_path, 'variable "owner" {\n  type    = string\n  default = null\n}\n')
    assert plan_release(request(repo), Seam(), LINKS).version.tag == "v1.1.0"
    assert plan_release(request(repo, bump="major"), Seam(), LINKS).version.tag == "v2.0.0"
    assert plan_release(request(repo, version="v1.3.0"), Seam(), LINKS).version.tag == "v1.3.0"


def test_refusals_dirty_tree_branch_and_stale_catalog_are_reported_together(baseline: Path, tmp_path: Path) -> None:
    repo = _with_change(baseline, tmp_path)
    git(repo, "switch", "-q", "-c", "feature")
    (repo / "modules_out" / "box" / "README.md").write_text("edited\n")
    (repo / "notes.txt").write_text("untracked\n")
    before = snapshot(repo)
    with pytest.raises(ReleaseRefusedError) as caught:
        release(request(repo), Seam(stale="box/README.md"), LINKS, out=io.StringIO())
    assert snapshot(repo) == before
    message = str(caught.value)
    assert "3 problem(s)" in message
    assert "releases are cut from `main`, HEAD is on `feature`" in message and "git switch main" in message
    assert "M modules_out/box/README.md" in message and "?? notes.txt" in message
    assert "differs: box/README.md" in message and "make modules" in message


def test_detached_head_is_refused(baseline: Path, tmp_path: Path) -> None:
    repo = _with_change(baseline, tmp_path)
    git(repo, "checkout", "-q", "--detach")
    assert "HEAD is on a detached commit" in _refused(repo)


def test_existing_tag_and_non_increasing_versions_are_refused(baseline: Path, tmp_path: Path) -> None:
    repo = _with_change(baseline, tmp_path)
    # v2.0.0 exists on another line (not reachable from HEAD): the computed v2.0.0 must not reuse it
    git(repo, "switch", "-q", "-c", "other", "HEAD~1")
    (repo / "other.txt").write_text("elsewhere\n")
    commit_all(repo, "elsewhere")
    git(repo, "tag", "-a", "v2.0.0", "-m", "made elsewhere")
    git(repo, "switch", "-q", "main")
    assert "tag v2.0.0 already exists" in _refused(repo)
    message = _refused(repo, version="1.0.0")
    assert "v1.0.0 is already released: modules_out/CHANGELOG.md lists [1.0.0] (2026-11-29)" in message
    assert "a released version is never cut again" in message and "v2.0.0 is the lowest this change allows" in message
    message = _refused(repo, version="0.9.0")
    assert "v0.9.0 is not greater than the last release v1.0.0 (the newest modules_out/CHANGELOG.md lists)" in message


def test_nothing_to_release(baseline: Path, tmp_path: Path) -> None:
    repo = copy_repo(baseline, tmp_path / "repo")
    (repo / "docs.md").write_text("outside the catalog\n")
    commit_all(repo, "docs only")
    assert "nothing to release: no file of modules_out/ changed since v1.0.0" in _refused(repo)


def test_first_release_is_1_0_0(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    write_catalog(repo)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "catalog")
    assert "the first release of the catalog is v1.0.0" in _refused(repo, version="0.1.0")
    assert "the first release of the catalog is v1.0.0" in _refused(repo, bump="minor")
    plan = plan_release(request(repo), Seam(), LINKS)
    assert plan.version.tag == "v1.0.0" and plan.first
    assert "Initial stable release." in plan.texts.entry
    assert "- Added: the `box` module." in plan.texts.entry  # the hand-written Unreleased note
    assert "- Added: S3 bucket with versioning. 4 inputs (1 required, 1 validation blocks), 2 outputs." in (
        plan.texts.entry
    )
    assert "## v0.x → v1.0.0" in plan.texts.upgrade


def test_publish_refuses_without_token_or_remote(baseline: Path, tmp_path: Path) -> None:
    repo = _with_change(baseline, tmp_path)
    message = _refused(repo, version="2.0.0", publish=True)
    assert "GITHUB_TOKEN" in message and "no git remote named `origin`" in message


def test_dry_run_changes_nothing_and_shows_everything(baseline: Path, tmp_path: Path) -> None:
    repo = _with_change(baseline, tmp_path)
    before = snapshot(repo)
    out = io.StringIO()
    seam = Seam()
    plan = release(request(repo, dry_run=True, publish=True), seam, LINKS, out=out)
    assert snapshot(repo) == before, "the dry run changed the repository (files or .git)"
    assert seam.regenerated == []
    text = out.getvalue()
    assert plan.version.tag == "v2.0.0" and plan.minimum is Bump.MAJOR
    for expected in (
        "release v2.0.0 (major after v1.0.0; minimum computed from the interfaces: major)",
        "## [2.0.0] - 2026-12-01",
        "Major release: breaking changes. Read [UPGRADE.md](UPGRADE.md#v100--v200)",
        "--- modules_out/UPGRADE.md: new section ---",
        "- **Added: required variable `owner` (`string`): Owner..** Set `owner`",
        "--- release notes (tag message and GitHub Release) ---",
        "https://github.com/acme/platform-infra/blob/v2.0.0/modules_out/UPGRADE.md#v100--v200",
        "dry run: nothing was written",
        "push main and v2.0.0 to origin",
    ):
        assert expected in text, expected


def test_release_writes_commits_and_tags(baseline: Path, tmp_path: Path) -> None:
    repo = _with_change(baseline, tmp_path)
    changelog = repo / "modules_out" / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text().replace(
            "### box\n- Added: the `box` module.\n",
            "The owner tag.\n\n### box\n- Added: `owner` names the owning team\n  (required).\n- Fixed: a typo.\n",
        )
    )
    (repo / "modules_out" / "UPGRADE.md").write_text(
        "# Upgrade guide\n\nIntro.\n\n## Unreleased\n\n### box\n- Ask the owning team for its tag value.\n"
    )
    commit_all(repo, "notes")
    seam = Seam()
    plan = release(request(repo), seam, LINKS, out=io.StringIO())
    assert seam.regenerated == [repo / "modules_out"]
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "log", "-1", "--format=%s") == "release: v2.0.0\n"
    assert git(repo, "cat-file", "-t", "v2.0.0") == "tag\n"  # annotated
    assert git(repo, "tag", "-l", "--format=%(contents)", "v2.0.0").rstrip("\n") == plan.texts.notes.rstrip("\n")
    assert plan.texts.notes.startswith("# Module catalog v2.0.0\n")  # '#' kept: cleanup=verbatim
    text = changelog.read_text()
    unreleased, _, entry = text.partition("## [2.0.0] - 2026-12-01")
    assert "`owner`" not in unreleased.split("## Unreleased", 1)[1]  # the notes moved into the entry
    assert "The owner tag." in entry
    assert "- Added: `owner` names the owning team (required)." in entry
    assert "required variable `owner`" not in entry  # the note mentions `owner`: no duplicate line
    assert "- Fixed: a typo." in entry
    upgrade = (repo / "modules_out" / "UPGRADE.md").read_text()
    assert "## v1.0.0 → v2.0.0" in upgrade and "Set `owner` (type `string`) in every call" in upgrade
    unreleased, _, section = upgrade.partition("## v1.0.0 → v2.0.0")
    assert "Ask the owning team" not in unreleased and "- Ask the owning team for its tag value." in section
    # the next release starts from v2.0.0: nothing changed since
    assert "nothing to release" in _refused(repo)


def _remote(tmp_path: Path, repo: Path) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True)
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "push", "-q", "origin", "main", "v1.0.0")
    return bare


def test_publish_pushes_atomically_and_creates_the_github_release(
    baseline: Path, tmp_path: Path, fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _with_change(baseline, tmp_path)
    bare = _remote(tmp_path, repo)
    monkeypatch.setenv("GITHUB_TOKEN", fake_github.token)

    def publisher() -> GitHubReleases:
        return GitHubReleases(fake_github.url, "acme", "platform-infra", fake_github.token)

    out = io.StringIO()
    plan = release(request(repo, version="2.0.0", publish=True), Seam(), LINKS, publisher, out=out)
    assert git(bare, "rev-parse", "refs/heads/main") == git(repo, "rev-parse", "HEAD")
    assert git(bare, "cat-file", "-t", "v2.0.0") == "tag\n"
    get, post = fake_github.calls
    assert (get.method, get.path) == ("GET", "/repos/acme/platform-infra/releases/tags/v2.0.0")
    assert post.method == "POST" and post.path == "/repos/acme/platform-infra/releases"
    assert post.headers["Authorization"] == f"Bearer {fake_github.token}"
    assert post.headers["Accept"] == "application/vnd.github+json"
    assert post.body == {
        "tag_name": "v2.0.0",
        "name": "v2.0.0",
        "body": plan.texts.notes,
        "draft": False,
        "prerelease": False,
        "make_latest": "true",
    }
    assert "GitHub Release created: https://github.com/acme/platform-infra/releases/tag/v2.0.0" in out.getvalue()
    # re-running the publication updates the same release (idempotent), from the tag's own message
    publish_existing(request(repo, publish=True), "v2.0.0", publisher, out=io.StringIO())
    assert [c.method for c in fake_github.calls[2:]] == ["GET", "PATCH"]
    assert fake_github.releases[1]["body"].rstrip("\n") == plan.texts.notes.rstrip("\n")
    assert len(fake_github.releases) == 1


def test_publish_failures_name_the_fix(
    baseline: Path, tmp_path: Path, fake_github: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _with_change(baseline, tmp_path)
    bare = _remote(tmp_path, repo)
    monkeypatch.setenv("GITHUB_TOKEN", "wrong")

    def publisher() -> GitHubReleases:
        return GitHubReleases(fake_github.url, "acme", "platform-infra", "wrong")

    # the remote moved on since the last pull: the atomic push refuses and pushes nothing, not even the tag
    original = git(bare, "rev-parse", "refs/heads/main").strip()
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "-b", "main", str(bare), str(other))
    (other / "x.txt").write_text("x\n")
    commit_all(other, "someone else")
    git(other, "push", "-q", "origin", "main")
    with pytest.raises(PublishError) as pushed:
        release(request(repo, version="2.0.0", publish=True), Seam(), LINKS, publisher, out=io.StringIO())
    assert "nothing was pushed" in str(pushed.value) and "infra release publish v2.0.0" in str(pushed.value)
    assert git(bare, "tag", "-l") == "v1.0.0\n"
    assert git(repo, "cat-file", "-t", "v2.0.0") == "tag\n"  # the local release stands
    # the remote is sorted out; a wrong token fails at the API with GitHub's message and the fix
    git(bare, "update-ref", "refs/heads/main", original)
    with pytest.raises(PublishError) as caught:
        publish_existing(request(repo, publish=True), "v2.0.0", publisher, out=io.StringIO())
    assert caught.value.exit_code == 2
    assert "HTTP 401: Bad credentials" in str(caught.value) and "GITHUB_TOKEN" in str(caught.value)
    assert git(bare, "cat-file", "-t", "v2.0.0") == "tag\n"


@pytest.mark.synth
@pytest.mark.terraform
def test_stale_catalog_is_refused_by_the_real_export(repo_root: Path, tmp_path: Path, tf_cli_config: Path) -> None:
    """The real seam: a fresh export of the constructs compared with a committed modules_out/."""
    from platform_tools.release.command import CatalogFreshness

    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copytree(repo_root / "modules_out", repo / "modules_out")
    readme = repo / "modules_out" / "sg" / "README.md"
    readme.write_text(readme.read_text() + "\nedited by hand\n")
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "catalog")
    before = snapshot(repo)
    with pytest.raises(ReleaseRefusedError) as caught:
        release(request(repo), CatalogFreshness(repo_root / "platform.yaml"), LINKS, out=io.StringIO())
    assert snapshot(repo) == before
    assert "differs: sg/README.md" in str(caught.value) and "make modules" in str(caught.value)


def test_unparsable_hcl_is_bad_input_naming_the_file(baseline: Path, tmp_path: Path) -> None:
    from platform_constructs.errors import ConfigError

    repo = _with_change(baseline, tmp_path, "variable {{{ broken")
    with pytest.raises(ConfigError) as caught:
        release(request(repo), Seam(), LINKS, out=io.StringIO())
    assert caught.value.exit_code == 2 and "box/variables.tf" in str(caught.value)
