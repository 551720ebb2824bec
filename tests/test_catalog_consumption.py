"""A service repo consuming the catalog the way production does: git source, pinned tag, init/validate/plan.

The catalog is committed to a throw-away git repository and tagged; the examples' local ``source``
paths are rewritten to ``git::file://…//modules_out/<module>?ref=<tag>``, then Terraform downloads the
modules itself (go-getter + git), validates and plans with the real provider.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from catalog_harness import CATALOG, OFFLINE_PROVIDER
from platform_constructs.tf import Terraform

pytestmark = [pytest.mark.terraform, pytest.mark.slow]
TAG = "v1.0.0"


def _git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "platform",
        "GIT_AUTHOR_EMAIL": "platform@acme.example",
        "GIT_COMMITTER_NAME": "platform",
        "GIT_COMMITTER_EMAIL": "platform@acme.example",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def tagged_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("platform-repo")
    shutil.copytree(CATALOG, repo / "modules_out", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "catalog")
    _git(repo, "tag", "-a", TAG, "-m", "First stable release")
    # a later commit on main must not leak into a consumer pinned to the tag
    (repo / "modules_out" / "sg" / "main.tf").write_text("this is not terraform {")
    _git(repo, "commit", "-qam", "broken main after the tag")
    return repo


def _consumer(example: Path, repo: Path, dest: Path) -> Path:
    dest.mkdir(parents=True)
    for tf_file in example.glob("*.tf"):
        text = tf_file.read_text()

        def git_source(match: re.Match[str]) -> str:
            target = (example / match.group(1)).resolve()
            rel = target.relative_to(CATALOG.resolve())
            return f'source = "git::file://{repo}//modules_out/{rel}?ref={TAG}"'

        text = re.sub(r'source\s*=\s*"(\.\.[^"]*)"', git_source, text)
        (dest / tf_file.name).write_text(text)
    (dest / "offline_override.tf.json").write_text(OFFLINE_PROVIDER)
    return dest


def _consumer_examples() -> list[str]:
    shared = sorted(str(p.parent.relative_to(CATALOG)) for p in CATALOG.glob("examples/*/main.tf"))
    return shared or ["sg/examples/presets"]


@pytest.mark.parametrize("example", _consumer_examples())
def test_service_repo_pins_the_tag_and_plans(
    example: str, tagged_repo: Path, terraform: Callable[..., Terraform], tmp_path: Path
) -> None:
    work = _consumer(CATALOG / example, tagged_repo, tmp_path / "service-repo")
    text = "".join(p.read_text() for p in work.glob("*.tf"))
    assert f"?ref={TAG}" in text and "../" not in re.sub(r"#.*", "", text)
    tf = terraform(work)
    tf.init(backend=False)
    installed = (tmp_path / f"tfdata-{work.name}" / "modules" / "modules.json").read_text()
    assert f"ref={TAG}" in installed
    assert tf.validate()["valid"]
    tf.plan("-input=false", out=str(tmp_path / "plan.bin"))
    plan = tf.show_json(str(tmp_path / "plan.bin"))
    assert plan["resource_changes"], "the consumer planned nothing"
