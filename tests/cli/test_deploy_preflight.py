"""``infra deploy``'s pre-flight: STS is asked who is calling before Terraform starts, with the stack's own
provider settings, and anything but an identity of the stack's account ends with the account, the role and the fix.

Real STS answers come from the shared moto server (GetCallerIdentity, AssumeRole) and, for a refused token,
from a local endpoint that answers as STS does (moto accepts every key).
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from platform_tools.deploy_preflight import PreflightError, caller_identity, provider_target
from support.env import REPO
from support.moto_server import MotoServer

STACK = "state-backend"
PLATFORM_ACCOUNT = "100000000000"

#: what boto3 would otherwise find on the machine: none of it may decide a test
CREDENTIAL_VARS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
)


@pytest.fixture
def no_ambient_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in CREDENTIAL_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never the link-local metadata address
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


@pytest.fixture
def stack(synth_out: Path, tmp_path: Path) -> Path:
    folder = tmp_path / STACK
    shutil.copytree(synth_out / "stacks" / STACK, folder)
    return folder


def _override(stack: Path, name: str, provider: dict[str, object]) -> None:
    (stack / name).write_text(json.dumps({"provider": {"aws": provider}}))


def test_the_target_is_the_stack_provider_with_terraforms_override_merge(stack: Path) -> None:
    plain = provider_target(stack)
    assert plain.allowed_account_ids == (PLATFORM_ACCOUNT,) and plain.region == "ap-northeast-2"
    assert plain.sts_endpoint is None and plain.role_arn is None
    _override(stack, "a_override.tf.json", {"profile": "first", "endpoints": [{"sts": "http://127.0.0.1:1"}]})
    (stack / "b_override.tf").write_text(
        'provider "aws" {\n  profile = "second"\n  assume_role {\n    role_arn = "arn:aws:iam::1:role/x"\n  }\n}\n'
    )
    merged = provider_target(stack)
    assert merged.profile == "second"  # later files win, argument by argument
    assert merged.sts_endpoint == "http://127.0.0.1:1" and merged.role_arn == "arn:aws:iam::1:role/x"
    assert merged.allowed_account_ids == (PLATFORM_ACCOUNT,)  # what no override sets stays


def test_no_credentials_names_the_account_and_the_fix(stack: Path, no_ambient_credentials: None) -> None:
    with pytest.raises(PreflightError) as err:
        caller_identity(STACK, provider_target(stack))
    text = str(err.value)
    assert err.value.exit_code == 6
    assert f"no AWS credentials found; stack 'state-backend' deploys to account {PLATFORM_ACCOUNT}" in text
    assert "aws sso login --profile" in text and "docs/deploying.md#reaching-the-platform-account" in text


def test_a_profile_that_does_not_exist_is_named(stack: Path, no_ambient_credentials: None) -> None:
    _override(stack, "profile_override.tf.json", {"profile": "acme-platform"})
    with pytest.raises(PreflightError) as err:
        caller_identity(STACK, provider_target(stack))
    assert "acme-platform" in str(err.value) and "could not be loaded" in str(err.value)


def test_the_right_account_passes_and_another_is_refused(
    moto: MotoServer, stack: Path, no_ambient_credentials: None
) -> None:
    _override(stack, "moto_override.tf.json", json.loads(moto.provider_override())["provider"]["aws"])
    identity = caller_identity(STACK, provider_target(stack))
    assert identity.account == identity.deploying_account == PLATFORM_ACCOUNT

    _override(stack, "z_override.tf.json", {"allowed_account_ids": ["999999999999"]})
    with pytest.raises(PreflightError) as err:
        caller_identity(STACK, provider_target(stack))
    text = str(err.value)
    assert f"these credentials are for account {PLATFORM_ACCOUNT}" in text
    assert "deploys to account 999999999999" in text and "platform.account_id" in text


def test_an_assumed_role_is_the_account_that_counts(
    moto: MotoServer, stack: Path, no_ambient_credentials: None
) -> None:
    _override(stack, "moto_override.tf.json", json.loads(moto.provider_override())["provider"]["aws"])
    own = f"arn:aws:iam::{PLATFORM_ACCOUNT}:role/platform-deployer"
    _override(stack, "role_override.tf.json", {"assume_role": [{"role_arn": own}]})
    assert caller_identity(STACK, provider_target(stack)).deploying_account == PLATFORM_ACCOUNT

    foreign = "arn:aws:iam::222222222222:role/platform-deployer"
    _override(stack, "role_override.tf.json", {"assume_role": [{"role_arn": foreign}]})
    with pytest.raises(PreflightError) as err:
        caller_identity(STACK, provider_target(stack))
    assert "these credentials are for account 222222222222" in str(err.value)
    assert f"through role {foreign}" in str(err.value)


class _ExpiredTokenSTS(http.server.BaseHTTPRequestHandler):
    """Answers every call as STS answers an expired session token."""

    BODY = (
        b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>'
        b"<Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message>"
        b"</Error><RequestId>preflight-test</RequestId></ErrorResponse>"
    )

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(403)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(self.BODY)))
        self.end_headers()
        self.wfile.write(self.BODY)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def expired_sts() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ExpiredTokenSTS)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_refused_and_unreachable_sts_are_explained(stack: Path, no_ambient_credentials: None, expired_sts: str) -> None:
    keys = {"access_key": "AKIAEXAMPLE", "secret_key": "secret", "token": "old"}
    _override(stack, "sts_override.tf.json", {**keys, "endpoints": [{"sts": expired_sts}]})
    with pytest.raises(PreflightError) as err:
        caller_identity(STACK, provider_target(stack))
    assert "AWS refused the credentials (ExpiredToken: The security token included in the request is expired)" in (
        str(err.value)
    )
    assert "they may have expired" in str(err.value)

    _override(stack, "sts_override.tf.json", {**keys, "endpoints": [{"sts": "http://127.0.0.1:9"}]})
    with pytest.raises(PreflightError) as err:
        caller_identity(STACK, provider_target(stack))
    assert "cannot reach AWS STS" in str(err.value)


def test_make_deploy_without_credentials_stops_before_terraform(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARS}
    env |= {
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "INFRA_WORK_DIR": str(tmp_path / "build"),
        "INFRA_STATE_DIR": str(tmp_path / "state"),
        "INFRA_TERRAFORM_DATA_DIR": str(tmp_path / "tfdata"),
    }
    done = subprocess.run(
        ["make", "--no-print-directory", "-C", str(REPO), "deploy", f"OUT={tmp_path / 'out'}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 2, done.stderr  # make's own code for any failed recipe
    assert "no AWS credentials found; stack 'state-backend' deploys to account 100000000000" in done.stderr
    assert "infra deploy: exit code 6: a prerequisite is missing" in done.stderr
    assert "terraform init" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "state").exists()
