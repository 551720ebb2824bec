"""Shared fixtures: the default registry, one synth per session, the Terraform engine, a moto server.

Markers follow from the fixtures a test asks for (:data:`FIXTURE_MARKERS`), so a test that plans with Terraform
is marked ``terraform`` without anyone remembering to say so, and ``make test-fast`` never starts an engine.
The harness itself lives in ``tests/support/``.

Every test reads the embedded registry unless it names another: ``$INFRA_PLATFORM`` is pinned to it here, so a
command run from the repo root (in process or as a child) never reads the organisation's ``./platform.yaml``,
which platform engineers edit (onboarding a service must not break the suite). The few tests about the root file
itself (it is valid; ``modules_out/`` matches it) name it explicitly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path

import pytest

from platform_constructs.registry import REGISTRY_ENV_VAR, Registry, load_registry
from platform_constructs.tf import MirrorNotFoundError, Terraform, find_mirror, write_cli_config
from support.env import REPO, need
from support.fake_github import FakeGitHub
from support.moto_server import MotoServer

#: the embedded registry, as a file every entry point (and every child process) resolves to
EMBEDDED_REGISTRY = Path(str(resources.files("platform_constructs.registry").joinpath("platform.yaml")))
os.environ[REGISTRY_ENV_VAR] = str(EMBEDDED_REGISTRY)
#: nothing in the suite may reach a non-loopback address: an AWS SDK or provider that finds no credentials would
#: otherwise ask the EC2 metadata service (169.254.169.254)
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

#: fixture name -> the markers every test using it (directly or through other fixtures) gets
FIXTURE_MARKERS: dict[str, tuple[str, ...]] = {
    "synth_out": ("synth",),
    "tf_cli_config": ("terraform",),
    "moto_server": ("moto", "terraform"),
    "checkov": ("checkov", "slow"),
    "light_venv": ("slow",),
    "built_wheel": ("slow",),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        for fixture, markers in FIXTURE_MARKERS.items():
            if fixture in names:
                for marker in markers:
                    item.add_marker(marker)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def registry() -> Registry:
    return load_registry(None)


@pytest.fixture(scope="session")
def tf_cli_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    try:
        mirror = find_mirror()
    except MirrorNotFoundError as err:
        need(False, str(err))
        raise
    return write_cli_config(tmp_path_factory.mktemp("tfcli") / "cli.tfrc", mirror.path)


@pytest.fixture
def terraform(tf_cli_config: Path, tmp_path: Path) -> Callable[..., Terraform]:
    """Factory: ``terraform(workdir, env={...})`` with a private data dir per test."""

    def make(workdir: Path, env: dict[str, str] | None = None, data_dir: Path | None = None) -> Terraform:
        return Terraform(
            workdir, cli_config=tf_cli_config, env=env, data_dir=data_dir or (tmp_path / f"tfdata-{Path(workdir).name}")
        )

    return make


@pytest.fixture(scope="session")
def synth_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default registry synthesized once per session (the jsii start is paid once)."""
    from platform_stacks.synth import synth

    out = tmp_path_factory.mktemp("synth") / "cdktf.out"
    synth(None, out, force=True, hcl=True)
    return out


@pytest.fixture(scope="session")
def checkov() -> str:
    """The checkov executable of ``.venv-checkov`` (or ``$INFRA_CHECKOV``)."""
    from platform_tools.guardrails.checkov import CheckovNotFoundError, checkov_executable

    try:
        return checkov_executable()
    except CheckovNotFoundError as err:
        need(False, str(err))
        raise


@pytest.fixture(scope="session")
def moto_server(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    server = MotoServer(registry.platform.account_id, tmp_path_factory.mktemp("moto") / "server.log")
    yield server
    server.stop()


@pytest.fixture
def moto(moto_server: MotoServer) -> MotoServer:
    """A moto server emptied before each test."""
    moto_server.reset()
    return moto_server


@pytest.fixture
def fake_github(tmp_path: Path) -> Iterator[FakeGitHub]:
    """The local GitHub (REST on 127.0.0.1); ``tmp_path / "remote.git"`` stands in for the pushed-to remote."""
    fake = FakeGitHub("ghs_fake_token_for_tests", remote=tmp_path / "remote.git").start()
    yield fake
    fake.stop()
