"""Shared fixtures: the default registry, one synth per session, the Terraform engine, a moto server.

Tests that need the local provider mirror skip when it is missing on a developer machine, and fail
under ``CI=true``: CI runs on the same kind of machine, so a missing mirror there is a broken machine,
not a reason to go green.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from platform_constructs.registry import Registry, load_registry
from platform_constructs.tf import MirrorNotFoundError, Terraform, find_mirror, write_cli_config

REPO = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    """Skip locally, fail in CI."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)


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
        return Terraform(workdir, cli_config=tf_cli_config, env=env,
                         data_dir=data_dir or (tmp_path / f"tfdata-{Path(workdir).name}"))

    return make


@pytest.fixture(scope="session")
def synth_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default registry synthesized once per session (the jsii start is paid once)."""
    from platform_stacks.synth import synth

    out = tmp_path_factory.mktemp("synth") / "cdktf.out"
    synth(None, out, force=True, hcl=True)
    return out


def copy_stack(synth_out: Path, stack: str, dest: Path) -> Path:
    """A private copy of a synthesized stack folder, so tests can add override files or state."""
    target = dest / stack
    shutil.copytree(synth_out / "stacks" / stack, target)
    return target


# -- moto ---------------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


#: Requests to the local moto server never go through a proxy from the environment.
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))
#: moto's server with the emulator fixes our tests need (see its docstring for each gap).
MOTO_LAUNCHER = Path(__file__).resolve().with_name("moto_launcher.py")


class MotoServer:
    """moto in server mode on 127.0.0.1, in its own process, speaking the real AWS wire protocols.

    Started through tests/moto_launcher.py, which patches the moto gaps that Terraform trips over
    (lifecycle ``NewerNoncurrentVersions``, non-atomic conditional writes) before serving.
    """

    def __init__(self, account_id: str, log_path: Path | None = None) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.account_id = account_id
        env = {**os.environ, "MOTO_ACCOUNT_ID": account_id, "AWS_ACCESS_KEY_ID": "testing",
               "AWS_SECRET_ACCESS_KEY": "testing"}
        # The server logs every request. A pipe nobody reads fills up after ~64 KiB and then blocks
        # the server mid-apply, so the log goes to a file (shown when the server fails to start).
        self._own_log = log_path is None
        if log_path is None:
            fd, name = tempfile.mkstemp(prefix=f"moto-{self.port}-", suffix=".log")
            os.close(fd)
            log_path = Path(name)
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, str(MOTO_LAUNCHER), "-H", "127.0.0.1", "-p", str(self.port)],
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                _LOOPBACK.open(f"{self.url}/moto-api/data.json", timeout=1).read()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"moto exited:\n{self.log_tail()}") from None
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not start within 30 s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")
        _LOOPBACK.open(req, timeout=10).read()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self._own_log:
            self.log_path.unlink(missing_ok=True)

    # What Terraform and boto3 need to talk to this server and nothing else. -------------------------
    def env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "",
            "AWS_REGION": "ap-northeast-2",
            "AWS_DEFAULT_REGION": "ap-northeast-2",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_ENDPOINT_URL": self.url,
            "AWS_PROFILE": "",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            # Everything talks to 127.0.0.1 directly, whatever proxy the machine configures.
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }

    SERVICES = ("s3", "dynamodb", "kms", "sts", "iam", "ec2", "ecs", "elbv2", "logs", "secretsmanager",
                "sns", "events", "cloudwatch", "lambda", "cloudtrail", "rds", "sqs", "athena", "glue")

    def provider_override(self) -> str:
        """A Terraform override file (``*_override.tf.json``) pointing the aws provider at moto."""
        return json.dumps({"provider": {"aws": {
            "endpoints": [{svc: self.url for svc in self.SERVICES}],
            "s3_use_path_style": True,
            "skip_credentials_validation": True,
            "skip_metadata_api_check": True,
            "skip_region_validation": True,
            "access_key": "testing",
            "secret_key": "testing",
        }}}, indent=2)

    def backend_config(self) -> str:
        """Partial backend configuration (``-backend-config=FILE``) for the S3 backend on moto."""
        return (
            f'endpoints = {{ s3 = "{self.url}", dynamodb = "{self.url}", sts = "{self.url}", '
            f'iam = "{self.url}" }}\n'
            "use_path_style = true\nskip_credentials_validation = true\nskip_metadata_api_check = true\n"
            'skip_region_validation = true\naccess_key = "testing"\nsecret_key = "testing"\n'
        )

    def boto3(self, service: str):  # type: ignore[no-untyped-def]
        import boto3

        return boto3.client(service, endpoint_url=self.url, region_name="ap-northeast-2",
                            aws_access_key_id="testing", aws_secret_access_key="testing")


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
