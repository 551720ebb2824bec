"""Identifier rules of platform.yaml that look-alike characters, invented regions or a doubled alias/ must not pass."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from platform_constructs import naming
from platform_constructs.errors import ConfigError
from platform_constructs.registry import model, parse_registry, regions
from platform_constructs.registry.loader import read_registry_text
from support.env import REPO


def default_data() -> dict:
    return yaml.safe_load(read_registry_text(None)[1])


def problems_for(data: dict) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        parse_registry(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "test.yaml")
    return {p.path: f"{p.message} | {p.fix}" for p in info.value.problems}


# Characters that Unicode-aware \d / \w accept but no AWS or GitHub identifier does.
FULLWIDTH_1 = "\uff11"  # FULLWIDTH DIGIT ONE
ARABIC_INDIC_1 = "\u0661"  # ARABIC-INDIC DIGIT ONE
HANGUL = "\ud55c"  # 한
CYRILLIC_A = "\u0430"  # CYRILLIC SMALL LETTER A, looks like the Latin a

# (field path, path into the YAML data, an ASCII-valid value, where to splice the look-alike in)
FIELDS = [
    ("platform.account_id", ("platform", "account_id"), "100000000000"),
    ("environments.dev.account_id", ("environments", "dev", "account_id"), "111111111111"),
    ("region", ("region",), "ap-northeast-2"),
    ("org", ("org",), "acme"),
    ("github.owner", ("github", "owner"), "acme"),
    ("github.host", ("github", "host"), "github.com"),
    ("github.platform_repo", ("github", "platform_repo"), "platform-infra"),
    ("platform.team", ("platform", "team"), "platform"),
    ("platform.cost_center", ("platform", "cost_center"), "CC-0001"),
    ("platform.owner", ("platform", "owner"), "platform-team@acme.example"),
    ("platform.atlantis_role_name", ("platform", "atlantis_role_name"), "atlantis-task-role"),
    ("services[0].name", ("services", 0, "name"), "fileflow"),
    ("services[0].repo", ("services", 0, "repo"), "fileflow"),
    ("services[0].team", ("services", 0, "team"), "storage"),
    ("services[0].working_directory", ("services", 0, "working_directory"), "infra"),
    ("state_backend.lock_table_name", ("state_backend", "lock_table_name"), "terraform-state-lock"),
    ("state_backend.key_alias", ("state_backend", "key_alias"), "terraform-state-key"),
]


def _set(data: dict, path: tuple, value: object) -> None:
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


@pytest.mark.parametrize(
    "char", [FULLWIDTH_1, ARABIC_INDIC_1, HANGUL, CYRILLIC_A], ids=["fullwidth", "arabic", "hangul", "cyrillic"]
)
@pytest.mark.parametrize(("field", "path", "valid"), FIELDS, ids=[f[0] for f in FIELDS])
def test_non_ascii_look_alikes_are_refused_with_the_field_path(field: str, path: tuple, valid: str, char: str) -> None:
    data = default_data()
    # Replace the last character: for digit fields a digit by a Unicode digit, elsewhere a letter by a look-alike.
    _set(data, path, valid[:-1] + char)
    assert field in problems_for(copy.deepcopy(data))


def test_admin_role_arn_with_unicode_digits_or_letters_is_refused() -> None:
    for arn in (f"arn:aws:iam::100000000000:role/admin{HANGUL}", f"arn:aws:iam::10000000000{FULLWIDTH_1}:role/admin"):
        data = default_data()
        data["platform"]["admin_role_arns"] = [arn]
        assert "platform.admin_role_arns[0]" in problems_for(data)


def _pattern_constants() -> dict[str, str]:
    found = {f"model.{k}": v for k, v in vars(model).items() if k.endswith("_PATTERN") and isinstance(v, str)}
    found |= {f"naming.{k}": v for k, v in vars(naming).items() if k.endswith("_PATTERN") and isinstance(v, str)}
    found |= {f"naming.Kind.{k.name}": k.value.pattern for k in naming.Kind if hasattr(k.value, "pattern")}
    return found


@pytest.mark.parametrize(
    "char", [FULLWIDTH_1, ARABIC_INDIC_1, HANGUL, CYRILLIC_A], ids=["fullwidth", "arabic", "hangul", "cyrillic"]
)
def test_every_exported_pattern_refuses_unicode_digits_and_letters(char: str) -> None:
    """Each pattern is tried on a string it accepts with one ASCII character swapped for a look-alike."""
    patterns = _pattern_constants()
    assert "model.ACCOUNT_PATTERN" in patterns and "naming.Kind.IAM_ROLE" in patterns
    accepted = {
        "model.ACCOUNT_PATTERN": "100000000001",
        "model.REGION_PATTERN": "ap-northeast-1",
        "model.ROLE_NAME_PATTERN": "atlantis_role1",
        "naming.Kind.IAM_ROLE": "atlantis_role1",
        "naming.Kind.IAM_POLICY": "atlantis_role1",
        "naming.Kind.DYNAMODB_TABLE": "lock_table1",
        "naming.Kind.ECS_CLUSTER": "cluster1",
        "naming.SEGMENT_PATTERN": "fileflow1",
        "model.NAME_PATTERN": "fileflow1",
    }
    for name, value in accepted.items():
        pattern = patterns[name]
        assert re.fullmatch(pattern, value), (name, value)
        assert not re.fullmatch(pattern, value[:-1] + char), f"{name} accepts {value[:-1] + char!r}"
    for name, pattern in patterns.items():
        assert not re.search(r"\\[dw]", pattern), f"{name} uses a Unicode class: {pattern}"


VALIDATION_SOURCES = [
    "constructs/platform_constructs/registry/model.py",
    "constructs/platform_constructs/naming.py",
    "constructs/platform_constructs/state_backend.py",
    "constructs/platform_constructs/rules.py",
]


@pytest.mark.parametrize("source", VALIDATION_SOURCES)
def test_validation_sources_write_explicit_ascii_classes(source: str) -> None:
    """A new \\d or \\w in a raw-string pattern would let Unicode digits and letters back in."""
    code = [
        line for line in (REPO / source).read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
    ]
    offending = [line for line in code if re.search(r"""\\[dw]""", line)]
    assert offending == [], offending


@pytest.mark.parametrize("region", ["ap-northeast-9", "eu-north-7", "us-east-9", "ap-southwest-1"])
def test_well_formed_regions_that_do_not_exist_are_refused_with_the_closest(region: str) -> None:
    data = default_data()
    data["region"] = region
    problem = problems_for(data)["region"]
    assert "not a region of the commercial AWS partition" in problem
    assert "did you mean" in problem


def test_a_typo_names_the_intended_region() -> None:
    data = default_data()
    data["region"] = "ap-northeast-9"
    assert "ap-northeast-2" in problems_for(data)["region"] or "ap-northeast-3" in problems_for(data)["region"]


@pytest.mark.parametrize("region", ["us-gov-west-1", "cn-north-1", "us-iso-east-1"])
def test_other_partitions_keep_their_message(region: str) -> None:
    data = default_data()
    data["region"] = region
    assert "GovCloud, China and ISO" in problems_for(data)["region"]


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-2", "ap-northeast-2", "il-central-1", "mx-central-1"])
def test_existing_regions_load(region: str) -> None:
    data = default_data()
    data["region"] = region
    assert parse_registry(yaml.safe_dump(data), "t.yaml").region == region


def test_committed_region_list_matches_the_installed_botocore() -> None:
    pytest.importorskip("botocore")
    committed = (Path(regions.__file__).with_name(regions.REGIONS_FILE)).read_text(encoding="utf-8")
    assert committed == regions.render(), "run: python -m platform_constructs.registry.regions, and commit the diff"


@pytest.mark.parametrize("alias", ["alias/terraform-state-key", "alias/x"])
def test_key_alias_with_the_alias_prefix_is_refused(alias: str) -> None:
    data = default_data()
    data["state_backend"]["key_alias"] = alias
    problem = problems_for(data)["state_backend.key_alias"]
    assert "write it without the alias/ prefix" in problem


def test_key_alias_in_the_aws_namespace_is_still_refused() -> None:
    data = default_data()
    data["state_backend"]["key_alias"] = "aws/terraform"
    assert "state_backend.key_alias" in problems_for(data)


# Model-level rules are reported at the field they are about, with the fix on its own line (not the section's
# whole mapping dumped as the value).


@pytest.mark.parametrize(
    ("section", "value", "path", "fix"),
    [
        ("cost", {"warn_percent": 40, "block_percent": 20}, "guardrails.cost.block_percent", "raise block_percent"),
        (
            "cost",
            {"new_warn_amount": 500, "new_block_amount": 100},
            "guardrails.cost.new_block_amount",
            "raise new_block_amount",
        ),
        (
            "sources",
            {"providers": ["hashicorp/aws", "registry.terraform.io/hashicorp/external"]},
            "guardrails.sources.providers[1]",
            "remove it",
        ),
        (
            "network",
            {
                "public_cidrs": [
                    {"cidr": "203.0.113.0/24", "description": "office"},
                    {"cidr": "1.0.0.0/8", "description": "vendor"},
                ]
            },
            "guardrails.network.public_cidrs[1].cidr",
            "narrow ranges",
        ),
        (
            "network",
            {"public_cidrs": [{"cidr": "203.0.113.7/24", "description": "office"}]},
            "guardrails.network.public_cidrs[0].cidr",
            "203.0.113.0/24",
        ),
    ],
    ids=["cost-percent", "cost-amount", "sources", "cidr-wide", "cidr-host-bits"],
)
def test_section_rules_name_the_field(section: str, value: dict, path: str, fix: str) -> None:
    data = default_data()
    data["guardrails"][section] = value
    with pytest.raises(ConfigError) as info:
        parse_registry(yaml.safe_dump(data, sort_keys=False), "test.yaml")
    (problem,) = info.value.problems
    assert problem.path == path and fix in problem.fix
    assert "fix:" not in problem.message and "{" not in problem.render().splitlines()[0]


def test_region_fix_is_on_its_own_line() -> None:
    data = default_data()
    data["region"] = "eu-west-9"
    with pytest.raises(ConfigError) as info:
        parse_registry(yaml.safe_dump(data, sort_keys=False), "test.yaml")
    (problem,) = info.value.problems
    assert problem.value == "eu-west-9" and "fix" not in problem.message and "eu-west-" in problem.fix
