"""platform.yaml: the embedded default loads; every class of mistake is reported with path and fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from platform_constructs.errors import ConfigError
from platform_constructs.registry import load_registry, parse_registry
from platform_constructs.registry.loader import read_registry_text
from support.env import REPO


def default_data() -> dict:
    return yaml.safe_load(read_registry_text(None)[1])


def problems_for(data: dict) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        parse_registry(yaml.safe_dump(data, sort_keys=False), "test.yaml")
    return {p.path: f"{p.message} | {p.fix}" for p in info.value.problems}


def test_embedded_default_is_complete() -> None:
    reg = load_registry(None)
    assert reg.org == "acme" and reg.region == "ap-northeast-2"
    assert list(reg.environments) == ["dev", "stg", "prod"]
    assert [s.name for s in reg.services] == ["fileflow", "crawlinghub", "authhub"]
    assert all(len(e.account_id) == 12 for e in reg.environments.values())
    assert reg.environments["prod"].production and not reg.environments["dev"].production
    assert reg.state_bucket == "acme-terraform-state-100000000000"
    assert reg.atlantis_role_arn == "arn:aws:iam::100000000000:role/atlantis-task-role"
    assert reg.repo_id(reg.service("authhub")) == "github.com/acme/authhub"


def test_repo_platform_yaml_is_a_valid_registry() -> None:
    """The organisation's own registry (starts as a copy of the embedded default; tests use the latter)."""
    reg = load_registry(REPO / "platform.yaml")
    assert reg.services and reg.environments


def test_unknown_key_names_path_and_suggests() -> None:
    data = default_data()
    data["regoin"] = "ap-northeast-2"
    data["services"][0]["owner_email"] = "x@y.io"
    found = problems_for(data)
    assert "did you mean 'region'" in found["regoin"]
    assert "services[0].owner_email" in found and "known keys here" in found["services[0].owner_email"]


def test_wrong_type_is_reported() -> None:
    data = default_data()
    data["state_backend"]["noncurrent_version_days"] = "ninety"
    data["environments"]["prod"]["production"] = "maybe"
    found = problems_for(data)
    assert "state_backend.noncurrent_version_days" in found
    assert "environments.prod.production" in found


@pytest.mark.parametrize(
    "value, needle",
    [
        (100000000000, "is a number in YAML: quote it"),
        ("12345", "exactly 12 digits"),
        ("12345678901a", "exactly 12 digits"),
    ],
)
def test_invalid_account_id(value: object, needle: str) -> None:
    data = default_data()
    data["environments"]["dev"]["account_id"] = value
    assert needle in problems_for(data)["environments.dev.account_id"]


@pytest.mark.parametrize("env", ["Dev", "dev_1", "development", "-dev", "d"])
def test_env_name_that_would_break_naming(env: str) -> None:
    data = default_data()
    data["environments"][env] = data["environments"].pop("dev")
    found = problems_for(data)
    assert any(path.startswith("environments.") for path in found), found


@pytest.mark.parametrize(
    "name", ['file"flow', "file\nflow", "file${x}", "FileFlow", "file_flow", "a-very-long-service-name-x", "file--flow"]
)
def test_service_name_that_would_break_naming_or_inject(name: str) -> None:
    data = default_data()
    data["services"][0]["name"] = name
    found = problems_for(data)
    assert "services[0].name" in found
    assert "lower-case letters and digits" in found["services[0].name"] or "at most" in found["services[0].name"]


def test_duplicate_service_and_reserved_names_reported_with_field_errors() -> None:
    data = default_data()
    data["services"].append(dict(data["services"][0]))
    data["services"].append({**data["services"][1], "name": "platform", "repo": "plat"})
    data["environments"]["shared"] = {"account_id": "444444444444"}
    data["org"] = "Bad Org"  # a field error in the same file: all problems come in one report
    found = problems_for(data)
    assert "duplicate service 'fileflow'" in found["services[3].name"]
    assert "repository 'fileflow' is registered twice" in found["services[3].repo"]
    assert "reserved" in found["services[4].name"]
    assert "reserved" in found["environments.shared"]
    assert "org" in found


def test_org_that_makes_the_state_bucket_name_too_long() -> None:
    data = default_data()
    data["org"] = "a" * 20
    parse_registry(yaml.safe_dump(data), "ok.yaml")  # 20 + 17 + 12 = 49 <= 63: fits
    data["state_backend"]["key_alias"] = "aws/reserved"
    assert "alias/aws/" in problems_for(data)["state_backend.key_alias"]


def test_duplicate_yaml_key_is_an_error() -> None:
    text = read_registry_text(None)[1] + "\norg: other\n"
    with pytest.raises(ConfigError) as info:
        parse_registry(text, "dup.yaml")
    assert "duplicate key 'org'" in str(info.value)


def test_invalid_yaml_reports_position() -> None:
    with pytest.raises(ConfigError) as info:
        parse_registry("org: [unclosed\n", "broken.yaml")
    assert "line" in info.value.problems[0].path


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_registry(tmp_path / "nope.yaml")
    assert "registry file not found" in str(info.value)


def test_bad_registry_writes_nothing(tmp_path: Path) -> None:
    """The synth pipeline validates the registry before it starts jsii or touches the output."""
    from platform_stacks.synth import synth

    bad = tmp_path / "bad.yaml"
    data = default_data()
    data["services"][0]["team"] = "Storage Team"
    bad.write_text(yaml.safe_dump(data))
    out = tmp_path / "cdktf.out"
    out.mkdir()
    (out / "keep.txt").write_text("previous output")
    with pytest.raises(ConfigError):
        synth(bad, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "cdktf.out"]
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("region", ["us-gov-west-1", "cn-north-1", "us-iso-east-1", "AP-NORTHEAST-2", "mars-1"])
def test_regions_outside_the_commercial_partition_are_refused(region: str) -> None:
    data = default_data()
    data["region"] = region
    assert "commercial AWS partition" in problems_for(data)["region"]


def test_admin_roles_must_live_in_the_platform_account() -> None:
    data = default_data()
    data["platform"]["admin_role_arns"] = ["arn:aws:iam::999999999999:role/admin"]
    assert "platform account" in problems_for(data)["platform.admin_role_arns[0]"]


def test_guardrails_section_is_validated_with_field_names() -> None:
    data = default_data()
    data["guardrails"]["cost"]["min_change"] = -1
    data["guardrails"]["override"]["label"] = "bad label!"
    data["guardrails"]["override"]["approvers"] = ["not a login"]
    found = problems_for(data)
    assert "greater than or equal to 0" in found["guardrails.cost.min_change"]
    assert "GitHub label" in found["guardrails.override.label"]
    assert "GitHub organisation or user name" in found["guardrails.override.approvers[0]"]
    data = default_data()
    data["guardrails"]["cost"]["block_percent"] = 5  # below warn_percent (10): checked once the fields are valid
    assert "must be greater than warn_percent" in problems_for(data)["guardrails.cost.block_percent"]
    reg = load_registry(None)
    assert reg.guardrails.cost.warn_percent == 10 and reg.guardrails.cost.block_percent == 30
    assert reg.guardrails.override.label == "infra-override" and reg.guardrails.override.approvers == ()


def test_the_pr_checks_settings_are_validated_with_field_names() -> None:
    data = default_data()
    data["services"][0]["environments"] = ["dev", "prd"]
    data["services"][0]["working_directory"] = "../secrets"  # a field error: both come in one report
    data["services"][1]["working_directory"] = "infra/./x"
    data["guardrails"]["severity_threshold"] = "SEVERE"
    data["guardrails"]["network"] = {"public_cidrs": [{"cidr": "0.0.0.0/0", "description": "everyone"}]}
    data["guardrails"]["sources"] = {"providers": ["hashicorp/aws", "hashicorp/external"]}
    found = problems_for(data)
    assert "'prd' is not an environment" in found["services[0].environments[1]"]
    assert "one of dev, stg, prod" in found["services[0].environments[1]"]
    assert "relative path inside the repository" in found["services[0].working_directory"]
    assert "relative path" in found["services[1].working_directory"]  # a "." segment
    assert "guardrails.severity_threshold" in found
    assert "wider than /16" in found["guardrails.network.public_cidrs[0].cidr"]
    assert "hashicorp/external" in found["guardrails.sources.providers[1]"]
    reg = load_registry(None)
    assert reg.services[0].working_directory == "infra" and reg.service_environments(reg.services[0]) == (
        "dev",
        "stg",
        "prod",
    )
