"""One platform repository, local GitHub and OIDC service per test session (per xdist worker)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from platform_constructs.tf import find_mirror
from support.env import need
from support.fake_github import FakeGitHub
from support.fake_oidc import FakeOidc
from support.gate import GateWorld, trivy_binary


@pytest.fixture(scope="session")
def gate_world(tmp_path_factory: pytest.TempPathFactory, checkov: str, tf_cli_config: Path) -> Iterator[GateWorld]:
    trivy = trivy_binary()
    need(trivy.is_file(), f"trivy is not installed in .venv ({trivy}); run `make setup`")
    github = FakeGitHub("ghs_fake_token_for_tests").start()
    oidc = FakeOidc().start()
    root = tmp_path_factory.mktemp("gate")
    world = GateWorld(root, github, oidc, Path(checkov).parent.parent, trivy, find_mirror().path)
    yield world
    github.stop()
    oidc.stop()
