"""A service repo consuming the catalog the way production does: git source, pinned tag, init/validate/plan.

The catalog is committed to a throw-away git repository and tagged; the examples' local ``source``
paths are rewritten to ``git::file://…//modules_out/<module>?ref=<tag>``, then Terraform downloads the
modules itself (go-getter + git), validates and plans with the real provider.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from platform_constructs.tf import Terraform
from support.catalog import CATALOG, readme_block
from support.catalog_consumer import git, installed_refs, pin_to_tag

pytestmark = [pytest.mark.terraform, pytest.mark.slow]
TAG = "v1.0.0"
#: a service repo's backend as `infra service backend` renders it (abridged): S3, which needs AWS to init
S3_BACKEND = """terraform {
  backend "s3" {
    bucket       = "acme-terraform-state-111111111111"
    key          = "fileflow/dev/terraform.tfstate"
    region       = "ap-northeast-2"
    encrypt      = true
    use_lockfile = true
  }
}
"""


@pytest.fixture(scope="module")
def tagged_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("platform-repo")
    shutil.copytree(CATALOG, repo / "modules_out", ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "catalog")
    git(repo, "tag", "-a", TAG, "-m", "First stable release")
    # a later commit on main must not leak into a consumer pinned to the tag
    (repo / "modules_out" / "sg" / "main.tf").write_text("this is not terraform {")
    git(repo, "commit", "-qam", "broken main after the tag")
    return repo


def _consumer_examples() -> list[str]:
    shared = sorted(str(p.parent.relative_to(CATALOG)) for p in CATALOG.glob("examples/*/main.tf"))
    return shared or ["sg/examples/presets"]


@pytest.mark.parametrize("example", _consumer_examples())
def test_service_repo_pins_the_tag_and_plans(
    example: str, tagged_repo: Path, terraform: Callable[..., Terraform], tmp_path: Path
) -> None:
    work = pin_to_tag(CATALOG / example, CATALOG, tagged_repo, TAG, tmp_path / "service-repo")
    text = "".join(p.read_text() for p in work.glob("*.tf"))
    assert f"?ref={TAG}" in text and "../" not in re.sub(r"#.*", "", text)
    # a service repo keeps its state in S3; the README's backend override is what lets it plan without AWS
    (work / "backend.tf").write_text(S3_BACKEND)
    (work / "backend_override.tf").write_text(readme_block('terraform {\n  backend "local"'))
    tf = terraform(work)
    tf.init()
    installed = installed_refs(tmp_path / f"tfdata-{work.name}")
    assert f"ref={TAG}" in installed
    assert tf.validate()["valid"]
    tf.plan("-input=false", out=str(tmp_path / "plan.bin"))
    plan = tf.show_json(str(tmp_path / "plan.bin"))
    assert plan["resource_changes"], "the consumer planned nothing"
