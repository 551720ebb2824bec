"""The gate's trusted pieces on their own: settings from the registry, the static pre-flight, the check of the
untrusted plan JSON, the inline-skip audit and the provider-allowlist CLI config (fast; the workflow runs are in
test_workflow_runs.py and test_attacks.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from platform_constructs.errors import ConfigError
from platform_constructs.registry import Registry
from platform_tools.cli import main
from platform_tools.gate.cli_config import cli_config
from platform_tools.gate.inline_skips import audit_inline_skips
from platform_tools.gate.plan_file import MAX_DEPTH, check_plan_file
from platform_tools.gate.preflight import run_preflight
from platform_tools.gate.settings import GateSettings, gate_settings
from platform_tools.guardrails.policy.data import normalise_provider
from support.gate import GATE_FIXTURES

GATE_REGISTRY = GATE_FIXTURES / "platform.yaml"


@pytest.fixture
def settings(registry: Registry) -> GateSettings:
    return gate_settings(registry, "fileflow", "acme/fileflow")


# -- settings ---------------------------------------------------------------------------------------------
def test_settings_come_from_the_registry(settings: GateSettings) -> None:
    assert settings.environments == ("dev", "stg", "prod") and settings.working_directory == "infra"
    assert settings.catalog_url == "https://github.com/acme/platform-infra.git"
    assert "registry.terraform.io/hashicorp/aws" in settings.providers
    assert all("\n" not in v for v in settings.outputs().values())


def test_repository_names_compare_like_github_does(registry: Registry) -> None:
    assert gate_settings(registry, "fileflow", "ACME/FileFlow").repository == "acme/fileflow"


@pytest.mark.parametrize(
    "service, repository, says",
    [
        ("fileflow", "acme/crawlinghub", "is not the repository registered for service 'fileflow'"),
        ("fileflow", "evil/fileflow", "is not the repository registered"),
        ("billing", "acme/billing", "is not registered in platform.yaml"),
    ],
)
def test_settings_refuse_a_foreign_repository(registry: Registry, service: str, repository: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        gate_settings(registry, service, repository)


def test_cli_settings_writes_outputs_and_the_rendered_files(tmp_path: Path) -> None:
    out = tmp_path / "gate"
    github_output = tmp_path / "gh-output"
    code = main(
        [
            "gate", "settings", "--platform", str(GATE_REGISTRY), "--service", "fileflow",
            "--repository", "acme/fileflow", "--out", str(out), "--github-output", str(github_output),
        ]
    )  # fmt: skip
    assert code == 0
    outputs = dict(line.split("=", 1) for line in github_output.read_text().splitlines())
    assert outputs["environments"] == "dev prod" and outputs["override-approvers"] == "platform-lead"
    projects = (out / "infracost.yml").read_text()
    assert "infra/environments/prod" in projects and "infra/environments/stg" not in projects
    assert json.loads((out / "settings.json").read_text())["service"] == "fileflow"


def test_cli_settings_refusal_is_a_clean_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["gate", "settings", "--platform", str(GATE_REGISTRY), "--service", "fileflow"]
    code = main([*args, "--repository", "acme/other", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "repository: is not the repository registered" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists(), "nothing is written for a refused repository"


def test_provider_addresses_are_normalised() -> None:
    assert normalise_provider("HashiCorp/AWS") == "registry.terraform.io/hashicorp/aws"
    assert normalise_provider("registry.terraform.io/hashicorp/aws") == "registry.terraform.io/hashicorp/aws"
    assert normalise_provider("example.com/acme/thing") == "example.com/acme/thing"
    assert normalise_provider("aws") == "registry.terraform.io/hashicorp/aws"  # CDKTF's JSON writes the bare name


def test_the_platforms_own_synth_output_passes_the_preflight(synth_out: Path, settings: GateSettings) -> None:
    """CDKTF's JSON (bare provider names, `//` comment keys) is Terraform a service could commit too."""
    result = run_preflight(synth_out, settings)
    assert result.files > 0 and result.findings == (), result.findings[:3]


# -- the CLI config ---------------------------------------------------------------------------------------
def test_cli_config_installs_only_the_allowlist(settings: GateSettings, tmp_path: Path) -> None:
    direct = cli_config(settings)
    assert "direct {" in direct and "filesystem_mirror" not in direct
    assert '"registry.terraform.io/hashicorp/aws"' in direct and "exclude" not in direct
    mirrored = cli_config(settings, tmp_path)
    assert "filesystem_mirror" in mirrored and "direct" not in mirrored


# -- the pre-flight ---------------------------------------------------------------------------------------
def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def _rules(root: Path, settings: GateSettings) -> list[tuple[str, str]]:
    return sorted((f.rule, f.address) for f in run_preflight(root, settings).findings)


CATALOG = "git::https://github.com/acme/platform-infra.git//modules_out"


def test_allowed_terraform_passes(settings: GateSettings, tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "infra/environments/dev/main.tf": f"""
terraform {{
  required_providers {{
    aws    = {{ source = "hashicorp/aws" }}
    random = {{ source = "registry.terraform.io/hashicorp/random" }}
  }}
}}
provider "aws" {{
  alias  = "west"
  region = "us-west-2"
}}
module "sg" {{
  source = "{CATALOG}/sg?ref=v1.2.3"
}}
module "local" {{
  source = "../../modules/thing"
}}
resource "aws_s3_bucket" "b" {{
  provider = aws.west
}}
resource "terraform_data" "d" {{}}
data "terraform_remote_state" "net" {{
  backend = "s3"
}}
""",
            "infra/modules/thing/main.tf": 'resource "random_id" "x" {\n  byte_length = 4\n}\n',
            "infra/environments/dev/extra.tf.json": json.dumps({"resource": {"aws_sqs_queue": {"q": {"name": "q"}}}}),
        },
    )
    result = run_preflight(root, settings)
    assert result.ok and result.findings == () and result.files == 3, result.findings


@pytest.mark.parametrize(
    "text, expected",
    [
        ('data "external" "x" {\n  program = ["id"]\n}\n', ("gate.data_source", "data.external.x")),
        ('data "http" "x" {\n  url = "https://example.com"\n}\n', ("gate.data_source", "data.http.x")),
        (
            'resource "terraform_data" "x" {\n  provisioner "local-exec" {\n    command = "id"\n  }\n}\n',
            ("gate.provisioner", "terraform_data.x"),
        ),
        (
            'removed {\n  from = aws_s3_bucket.b\n  provisioner "local-exec" {\n    when = destroy\n'
            '    command = "id"\n  }\n}\n',
            ("gate.provisioner", "removed"),
        ),
        ('module "m" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n', ("gate.module_source", "module.m")),
        ('module "m" {\n  source = "' + CATALOG + '/sg"\n}\n', ("gate.module_source", "module.m")),
        ('module "m" {\n  source = "' + CATALOG + '/sg?ref=main"\n}\n', ("gate.module_source", "module.m")),
        ('module "m" {\n  source = "../../../../../etc"\n}\n', ("gate.module_source", "module.m")),
        ('resource "kubernetes_pod" "p" {}\n', ("gate.provider_source", "kubernetes_pod.p")),
        (
            'ephemeral "random_password" "p" {}\nresource "evil_thing" "t" {}\n',
            ("gate.provider_source", "evil_thing.t"),
        ),
        ("this is { not terraform", ("gate.unparsable", "infra/environments/dev/x.tf")),
    ],
    ids=[
        "external", "http", "provisioner", "provisioner-in-removed", "registry-module", "catalog-unpinned",
        "catalog-branch", "escaping-path", "implied-provider", "unknown-provider", "unparsable",
    ],
)  # fmt: skip
def test_each_door_is_refused(settings: GateSettings, tmp_path: Path, text: str, expected: tuple[str, str]) -> None:
    root = _tree(tmp_path, {"infra/environments/dev/x.tf": text})
    assert expected in _rules(root, settings)


def test_json_syntax_is_checked_too(settings: GateSettings, tmp_path: Path) -> None:
    doc = {
        "data": {"external": {"x": {"program": ["id"]}}},
        "module": {"m": {"source": "git::https://evil.example/m.git"}},
        "resource": {"null_resource": {"r": {"provisioner": [{"local-exec": {"command": "id"}}]}}},
    }
    root = _tree(tmp_path, {"infra/main.tf.json": json.dumps(doc)})
    rules = {rule for rule, _ in _rules(root, settings)}
    assert {"gate.data_source", "gate.module_source", "gate.provisioner"} <= rules


def test_committed_plugins_and_links_are_refused(settings: GateSettings, tmp_path: Path) -> None:
    root = _tree(tmp_path, {"infra/environments/dev/.terraform/providers/x": "binary", "infra/terraform.d/p": "x"})
    os.symlink("/etc/passwd", root / "infra" / "environments" / "dev" / "passwd.tf")
    os.symlink("/etc", root / "infra" / "etc")
    rules = _rules(root, settings)
    assert ("gate.committed_plugins", "infra/environments/dev/.terraform") in rules
    assert ("gate.committed_plugins", "infra/terraform.d") in rules
    assert ("gate.symlink", "infra/environments/dev/passwd.tf") in rules and ("gate.symlink", "infra/etc") in rules


def test_registry_allowlisted_sources_pass(registry: Registry, tmp_path: Path) -> None:
    guard = registry.guardrails.model_copy(
        update={
            "sources": registry.guardrails.sources.model_copy(
                update={
                    "modules": ("git::https://github.com/acme/shared-modules.git//",),
                    "providers": ("hashicorp/aws", "acme/thing"),
                }
            )
        }
    )
    settings = gate_settings(registry.model_copy(update={"guardrails": guard}), "fileflow", "acme/fileflow")
    root = _tree(
        tmp_path,
        {
            "main.tf": 'module "m" {\n  source = "git::https://github.com/acme/shared-modules.git//net?ref=v2"\n}\n'
            'terraform {\n  required_providers {\n    thing = { source = "acme/thing" }\n  }\n}\n',
        },
    )
    assert run_preflight(root, settings).findings == ()


# -- the plan JSON ----------------------------------------------------------------------------------------
GOOD_PLAN = {
    "format_version": "1.2",
    "terraform_version": "1.15.5",
    "planned_values": {},
    "configuration": {},
    "resource_changes": [{"address": "aws_s3_bucket.b", "type": "aws_s3_bucket", "change": {"actions": ["create"]}}],
}


def _nested(depth: int) -> dict[str, object]:
    doc: dict[str, object] = {}
    node = doc
    for _ in range(depth):
        child: dict[str, object] = {}
        node["x"] = child
        node = child
    return doc


@pytest.mark.parametrize(
    "doc, problem",
    [
        (GOOD_PLAN, ""),
        ([], "is not a JSON object"),
        ({**GOOD_PLAN, "format_version": "2.0"}, "format_version"),
        ({k: v for k, v in GOOD_PLAN.items() if k != "configuration"}, "has no configuration object"),
        ({**GOOD_PLAN, "resource_changes": {"a": 1}}, "is not a list"),
        ({**GOOD_PLAN, "resource_changes": [{"type": "x", "change": {}}]}, "has no address"),
        ({**GOOD_PLAN, "planned_values": _nested(MAX_DEPTH + 5)}, "nests deeper"),
    ],
    ids=["good", "list", "version", "no-configuration", "changes-not-list", "no-address", "deep"],
)
def test_plan_json_shape(tmp_path: Path, doc: object, problem: str) -> None:
    path = tmp_path / "plan-dev.json"
    path.write_text(json.dumps(doc))
    check = check_plan_file(path)
    assert check.ok == (problem == "") and problem in check.problem, check.problem


def test_plan_json_limits(tmp_path: Path) -> None:
    big = tmp_path / "plan-big.json"
    big.write_text(json.dumps(GOOD_PLAN))
    assert "above the limit" in check_plan_file(big, max_bytes=10).problem
    bomb = tmp_path / "plan-bomb.json"
    bomb.write_text("[" * 200_000)
    assert "is not JSON" in check_plan_file(bomb).problem
    link = tmp_path / "plan-link.json"
    link.symlink_to(big)
    assert "not a regular file" in check_plan_file(link).problem


def test_cli_verify_plan_removes_what_fails(tmp_path: Path) -> None:
    good, bad = tmp_path / "plan-dev.json", tmp_path / "plan-prod.json"
    good.write_text(json.dumps(GOOD_PLAN))
    bad.write_text("{}")
    assert main(["gate", "verify-plan", str(good), str(bad), str(tmp_path / "plan-stg.json")]) == 3
    assert good.exists() and not bad.exists()


# -- inline skips -----------------------------------------------------------------------------------------
def _platform_root(tmp_path: Path, entries: str) -> Path:
    from platform_tools.resources import data_root

    root = tmp_path / "platform"
    (root / "policy" / "checkov").mkdir(parents=True)
    src = data_root() / "policy" / "checkov" / "cis_aws.yaml"
    (root / "policy" / "checkov" / "cis_aws.yaml").write_text(src.read_text())
    (root / "policy" / "checkov" / "skips.yaml").write_text(f"skips:\n{entries}")
    return root


SKIPPED = """resource "aws_security_group" "ssh" {
  # checkov:skip=CKV_AWS_24: needed
  #trivy:ignore:AVD-AWS-0124 descriptions
  name = "x"
}
"""


def test_unregistered_inline_skips_block_by_severity(tmp_path: Path) -> None:
    repo = _tree(tmp_path / "svc", {"infra/main.tf": SKIPPED})
    findings, checked = audit_inline_skips(repo, "fileflow", root=_platform_root(tmp_path, "  []\n"))
    assert checked == 2
    by_id = {f.address: f for f in findings}
    assert by_id["infra/main.tf:2"].blocking and by_id["infra/main.tf:2"].severity == "CRITICAL"
    # trivy ids have no severity in the platform's table: unknown counts as HIGH (fail closed)
    assert by_id["infra/main.tf:3"].blocking and by_id["infra/main.tf:3"].severity == "HIGH"


def test_a_registered_unexpired_skip_for_this_service_passes(tmp_path: Path) -> None:
    repo = _tree(tmp_path / "svc", {"infra/main.tf": SKIPPED})
    today = dt.date(2026, 12, 5)
    entry = (
        "  - {{id: {id}, scope: resource, service: {svc}, file: infra/main.tf, reason: r, approver: a, ticket: t, "
        "approved: 2026-12-01, expires: {exp}}}\n"
    )
    registered = _platform_root(
        tmp_path / "a",
        entry.format(id="CKV_AWS_24", svc="fileflow", exp="2027-06-01")
        + entry.format(id="AVD-AWS-0124", svc="fileflow", exp="2027-06-01"),
    )
    assert audit_inline_skips(repo, "fileflow", root=registered, today=today)[0] == []
    other_service = _platform_root(tmp_path / "b", entry.format(id="CKV_AWS_24", svc="authhub", exp="2027-06-01"))
    assert len(audit_inline_skips(repo, "fileflow", root=other_service, today=today)[0]) == 2
    expired = _platform_root(tmp_path / "c", entry.format(id="CKV_AWS_24", svc="fileflow", exp="2026-12-04"))
    assert len(audit_inline_skips(repo, "fileflow", root=expired, today=today)[0]) == 2


def test_the_local_run_replaces_only_the_download_steps() -> None:
    import yaml

    from support.actions import standard_actions
    from support.gate import EMULATED, WORKFLOW_PATH, tracked_files

    assert WORKFLOW_PATH in tracked_files()
    doc = yaml.safe_load((GATE_FIXTURES.parents[2] / WORKFLOW_PATH).read_text())
    steps = [s for job in doc["jobs"].values() for s in job["steps"]]
    names = [s["name"] for s in steps]
    assert set(EMULATED) <= set(names) and all("run" in s for s in steps if s["name"] in EMULATED)
    stand_ins = set(standard_actions({}, GATE_FIXTURES))
    for step in steps:
        if "uses" in step:
            assert "/".join(step["uses"].split("@")[0].split("/")[:2]) in stand_ins, step["uses"]
