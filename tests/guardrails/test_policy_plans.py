"""The Rego guardrails on real plans: a stack that breaks each rule once and a stack that follows them all,
planned by Terraform with the real AWS provider (offline), and this repository's own synthesized stacks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.tf import Terraform
from platform_tools.guardrails.policy.runner import check_path
from platform_tools.guardrails.policy.table import counts, table
from support.env import FIXTURES as FIXTURES_ROOT
from support.policy import ENGINES, check_everywhere, findings

FIXTURES = FIXTURES_ROOT / "policy"

#: every (result, rule, address) the bad stack must produce, and nothing else
BAD_FINDINGS = {
    ("failures", "tags.missing_required", "aws_sqs_queue.untagged"),
    ("failures", "tags.invalid_value", "aws_sqs_queue.qa"),
    ("warnings", "tags.registry_mismatch", "aws_sqs_queue.team"),
    ("failures", "naming.pattern", "aws_s3_bucket.data"),
    ("warnings", "naming.tag_mismatch", "aws_sns_topic.other"),
    ("warnings", "naming.tag_mismatch", "aws_sqs_queue.qa"),
    # SSH on the load balancer's group, HTTPS on a group no load balancer uses
    ("failures", "security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.alb_ssh"),
    ("failures", "security_groups.open_ingress", "aws_security_group_rule.app_https"),
    ("failures", "security_groups.all_traffic_ingress", "aws_vpc_security_group_ingress_rule.app_all"),
    ("failures", "security_groups.missing_description", "aws_security_group_rule.app_undescribed"),
    ("failures", "public_resources.s3_public_access_block", "aws_s3_bucket.data"),
    ("failures", "public_resources.s3_public_access_block", "aws_s3_bucket_public_access_block.logs"),
    ("failures", "public_resources.s3_public_acl", "aws_s3_bucket_acl.data"),
    ("failures", "public_resources.rds_public", "aws_db_instance.db"),
    ("failures", "public_resources.subnet_public_ip", "aws_subnet.a"),
    ("warnings", "public_resources.lb_internet_facing", "aws_lb.front"),
    ("failures", "public_resources.opensearch_public", "aws_opensearch_domain.search"),
}


@pytest.fixture(scope="module")
def plans(tf_cli_config: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """``terraform show -json`` of both fixture stacks (one plan each, ~8 s)."""
    out = {}
    for name in ("bad", "good"):
        work = tmp_path_factory.mktemp(f"policy-{name}")
        shutil.copytree(FIXTURES / name, work, dirs_exist_ok=True)
        tf = Terraform(work, cli_config=tf_cli_config, data_dir=work / ".tfdata")
        tf.init()
        tf.plan("-input=false", out=str(work / "plan.bin"))
        out[name] = tf.show_json(str(work / "plan.bin"))
    return out


@pytest.mark.terraform
def test_bad_stack_flags_each_violation(plans: dict[str, dict[str, Any]]) -> None:
    results = check_everywhere(plans["bad"])
    assert findings(results) == BAD_FINDINGS
    # HTTPS from anywhere on the group the load balancer uses is the one allowed opening
    assert "alb_https" not in json.dumps(results)


@pytest.mark.terraform
def test_good_stack_is_clean(plans: dict[str, dict[str, Any]]) -> None:
    results = check_everywhere(plans["good"])
    assert findings(results) == set()
    assert counts(results)["successes"] == 2 * 4 + 2


@pytest.mark.terraform
@pytest.mark.parametrize("engine", ENGINES)
def test_cli_on_a_real_plan(
    plans: dict[str, dict[str, Any]], engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from platform_tools.cli import main

    for name, code in (("bad", 3), ("good", 0)):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(plans[name]))
        assert main(["policy", "check", str(path), "--format", "json", "--engine", engine]) == code
        assert findings(json.loads(capsys.readouterr().out)) == (BAD_FINDINGS if name == "bad" else set())


@pytest.mark.synth
def test_this_repository_passes_its_own_guardrails(synth_out: Path) -> None:
    results = check_path(synth_out)
    assert results, "no synthesized stack found"
    assert findings(results) == set(), table(results)
    for file in sorted(synth_out.glob("stacks/*/cdk.tf.json")):
        assert findings(check_everywhere(json.loads(file.read_text()))) == set()
