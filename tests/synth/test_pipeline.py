"""The synth pipeline: migrated backend, tag enforcement, all-or-nothing output, the no-change cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from platform_constructs.errors import SynthError
from platform_constructs.registry.loader import read_registry_text
from platform_stacks.synth import FINGERPRINT_FILE, synth

pytestmark = pytest.mark.synth


def registry_file(tmp_path: Path, **state_backend: object) -> Path:
    data = yaml.safe_load(read_registry_text(None)[1])
    data["state_backend"].update(state_backend)
    path = tmp_path / "platform.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize(
    "lock, table, lockfile",
    [("both", "terraform-state-lock", True), ("s3", None, True), ("dynamodb", "terraform-state-lock", None)],
)
def test_migrated_bootstrap_uses_its_own_bucket(
    tmp_path: Path, lock: str, table: str | None, lockfile: bool | None
) -> None:
    out = tmp_path / "out"
    synth(registry_file(tmp_path, bootstrap_migrated=True, lock=lock), out)
    backend = json.loads((out / "stacks/state-backend/cdk.tf.json").read_text())["terraform"]["backend"]["s3"]
    assert backend["bucket"] == "acme-terraform-state-100000000000"
    assert backend["key"] == "platform/state-backend/terraform.tfstate"
    assert backend["encrypt"] is True
    assert backend["kms_key_id"].endswith(":alias/terraform-state-key")
    assert backend.get("dynamodb_table") == table
    assert backend.get("use_lockfile") == lockfile


def test_no_change_synth_is_cached_and_changes_are_not(tmp_path: Path) -> None:
    out = tmp_path / "out"
    platform = registry_file(tmp_path)
    first = synth(platform, out)
    assert not first.cached
    again = synth(platform, out)
    assert again.cached and again.seconds < 1.0
    # a registry change invalidates the cache
    platform.write_text(platform.read_text().replace("noncurrent_version_days: 90", "noncurrent_version_days: 60"))
    changed = synth(platform, out)
    assert not changed.cached
    doc = json.loads((out / "stacks/state-backend/cdk.tf.json").read_text())
    rule = doc["resource"]["aws_s3_bucket_lifecycle_configuration"]["state"]["rule"][0]
    assert rule["noncurrent_version_expiration"][0]["noncurrent_days"] == 60
    # an edited output file is not trusted
    (out / "stacks/state-backend/cdk.tf.json").write_text("{}")
    assert not synth(platform, out).cached
    assert json.loads((out / FINGERPRINT_FILE).read_text())["stacks"] == ["state-backend"]


def test_untagged_resource_fails_synth_and_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A resource on a provider without the mandatory default tags is refused by the tag Aspect."""
    import platform_stacks.app as app_module
    from platform_constructs.engine.aws import AwsProvider, S3Bucket

    real_build = app_module.build_app

    def build_with_untagged(registry, outdir):  # type: ignore[no-untyped-def]
        app, stacks = real_build(registry, outdir)
        stack = stacks[0]
        bare = AwsProvider(stack, "untagged", region="ap-northeast-2", alias="untagged")
        S3Bucket(stack, "stray", bucket="acme-stray-bucket", provider=bare, tags={"Team": "x"})
        return app, stacks

    monkeypatch.setattr(app_module, "build_app", build_with_untagged)
    out = tmp_path / "out"
    monkeypatch.setattr(app_module, "build_app", real_build)
    synth(registry_file(tmp_path), out, force=True)  # a previous, good output
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr(app_module, "build_app", build_with_untagged)
    with pytest.raises(SynthError) as info:
        synth(registry_file(tmp_path), out, force=True)
    message = str(info.value)
    assert (
        "state-backend/stray (aws_s3_bucket) lacks tag(s) Environment, Service, Owner, CostCenter, ManagedBy" in message
    )
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before, "previous output untouched"
    assert not any(p.name.startswith(".out.synth") for p in tmp_path.iterdir())


def test_deploy_resolves_stack_and_env() -> None:
    from platform_constructs.errors import ConfigError
    from platform_tools.deploy import resolve_stack

    known = ["state-backend", "network-dev", "network-prod"]
    assert resolve_stack("state-backend", None, known) == "state-backend"
    assert resolve_stack("network", "prod", known) == "network-prod"
    with pytest.raises(ConfigError, match="serves every environment: omit ENV"):
        resolve_stack("state-backend", "dev", known)
    with pytest.raises(ConfigError, match=r"no such stack.*network-stg"):
        resolve_stack("network", "stg", known)
    with pytest.raises(ConfigError, match=r"STACK=<concern> ENV=<env>"):
        resolve_stack("network", None, known)


def test_synth_refuses_to_replace_a_folder_it_did_not_write(tmp_path: Path) -> None:
    from platform_constructs.errors import ConfigError

    foreign = tmp_path / "important"
    foreign.mkdir()
    (foreign / "file.txt").write_text("precious")
    with pytest.raises(ConfigError, match="was not written by infra synth"):
        synth(registry_file(tmp_path), foreign)
    assert (foreign / "file.txt").read_text() == "precious"


def test_no_terminal_at_the_prompt_counts_as_no_and_failures_have_exit_codes() -> None:
    from platform_constructs.errors import TerraformError
    from platform_constructs.tf import TerraformFailedError
    from platform_tools.deploy import _confirmed

    def no_tty(_: str) -> str:
        raise EOFError

    assert _confirmed("state-backend", no_tty) is False
    assert _confirmed("state-backend", lambda _: " yes ") is True
    assert _confirmed("state-backend", lambda _: "y") is False
    assert issubclass(TerraformFailedError, TerraformError) and TerraformError.exit_code == 4
