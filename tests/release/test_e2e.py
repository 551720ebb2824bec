"""The catalog's release line end to end: v1.0.0, then a minor v1.1.0, then a breaking v2.0.0.

One temporary repository holds a copy of the real ``modules_out/``; each release is one call, the way
``make release`` makes it. A service-style root config then pins ``?ref=v2.0.0`` through a ``git::file://``
source: Terraform fetches the tag, and ``validate`` fails until the caller does what UPGRADE.md says.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from platform_constructs.catalog import catalog_ref
from platform_constructs.tf import Terraform
from platform_tools.release.command import ReleaseRefusedError, release
from platform_tools.release.version import Bump
from support.catalog_consumer import installed_refs, pin_to_tag
from support.release import LINKS, Seam, commit_all, git, git_env, request

pytestmark = [pytest.mark.terraform]

CHANGELOG = """\
# Changelog

All notable changes to the module catalog.

## Unreleased

### sg
- Added: per-rule resources keyed by stable names.
"""


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text() + "\n" + text)


def _note(repo: Path, module: str, line: str) -> None:
    changelog = repo / "modules_out" / "CHANGELOG.md"
    text = changelog.read_text()
    head, sep, rest = text.partition("-->\n")  # after the hint comment of the emptied Unreleased section
    changelog.write_text(f"{head}{sep}\n### {module}\n- {line}\n{rest}")


def test_v1_then_minor_then_major_and_a_consumer_pins_the_new_tag(
    repo_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terraform: Callable[..., Terraform]
) -> None:
    git_env(monkeypatch)
    repo = tmp_path / "platform-infra"
    catalog = repo / "modules_out"
    shutil.copytree(
        repo_root / "modules_out",
        catalog,
        ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "CHANGELOG.md", "UPGRADE.md"),
    )
    (catalog / "CHANGELOG.md").write_text(CHANGELOG)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "catalog")
    seam = Seam()

    # v1.0.0: the first release, every module's features
    first = release(request(repo), seam, LINKS, out=io.StringIO())
    assert first.version.tag == "v1.0.0"
    entry = first.texts.entry
    assert entry.startswith("## [1.0.0] - 2026-12-01\n\nInitial stable release.\n")
    for module in ("alb", "ecs_service", "iam", "rds", "sg"):
        assert f"### {module}\n" in entry
    assert "- Added: per-rule resources keyed by stable names." in entry
    assert "- Added: Security group with per-rule resources" in entry  # the module README's summary
    assert "## v0.x → v1.0.0" in (catalog / "UPGRADE.md").read_text()
    assert catalog_ref(catalog / "CHANGELOG.md") == "v1.0.0"

    # v1.1.0: an optional input and an output; the computed minimum is minor
    _append(catalog / "sg" / "variables.tf", 'variable "owner_note" {\n  type    = string\n  default = null\n}\n')
    _append(catalog / "sg" / "outputs.tf", 'output "vpc_id" {\n  description = "VPC."\n  value = var.vpc_id\n}\n')
    _note(repo, "sg", "Added: `owner_note` for the humans reading the console.")
    commit_all(repo, "sg: owner_note, vpc_id output")
    minor = release(request(repo), seam, LINKS, out=io.StringIO())
    assert (minor.version.tag, minor.minimum) == ("v1.1.0", Bump.MINOR)
    assert "- Added: `owner_note` for the humans reading the console." in minor.texts.entry
    assert "- Added: output `vpc_id`: VPC." in minor.texts.entry

    # v2.0.0: a new required input; a minor is refused, the computed release is major
    _append(
        catalog / "sg" / "variables.tf",
        'variable "owner_team" {\n  description = "Team tag."\n  type        = string\n}\n',
    )
    commit_all(repo, "sg: owner_team is required")
    with pytest.raises(ReleaseRefusedError, match="need at least a major release"):
        release(request(repo, bump="minor"), seam, LINKS, out=io.StringIO())
    major = release(request(repo), seam, LINKS, out=io.StringIO())
    assert major.version.tag == "v2.0.0"
    upgrade = (catalog / "UPGRADE.md").read_text()
    assert "## v1.1.0 → v2.0.0" in upgrade and "Set `owner_team` (type `string`) in every call" in upgrade
    assert [t.strip() for t in git(repo, "tag", "-l").split()] == ["v1.0.0", "v1.1.0", "v2.0.0"]
    assert catalog_ref(catalog / "CHANGELOG.md") == "v2.0.0"
    assert len(seam.regenerated) == 3

    # a service repo moves to v2.0.0: Terraform fetches the tag; it validates once owner_team is set
    example = repo_root / "modules_out" / "sg" / "examples" / "presets"
    work = pin_to_tag(example, repo_root / "modules_out", repo, "v2.0.0", tmp_path / "service-repo")
    tf = terraform(work)
    refused = tf.init(backend=False, check=False)  # Terraform itself names what UPGRADE.md asks for
    assert refused.returncode != 0
    assert 'The argument "owner_team" is required' in refused.stdout + refused.stderr
    main = work / "main.tf"
    main.write_text(re.sub(r'(source = "git::[^"]+"\n)', r'\1  owner_team = "platform"\n', main.read_text()))
    tf.init(backend=False)
    assert "ref=v2.0.0" in installed_refs(tmp_path / f"tfdata-{work.name}")
    assert tf.validate()["valid"]
