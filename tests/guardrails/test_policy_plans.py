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

#: the evasions stack (tests/fixtures/policy/evasions): split and computed addresses, exposure settings known only
#: after apply, a provisioner on a non-AWS resource; its source security group, private prefix list and ACL-less
#: bucket are not findings
EVASION_FINDINGS = {
    ("failures", "security_groups.open_ingress", "aws_security_group_rule.halves"),
    ("failures", "security_groups.open_ingress", "aws_vpc_security_group_ingress_rule.v6"),
    ("failures", "security_groups.unknown_source", "aws_vpc_security_group_ingress_rule.computed"),
    ("failures", "security_groups.unknown_source", "aws_security_group.dynamic"),
    ("failures", "public_resources.unknown_value", "aws_db_instance.db"),
    ("failures", "public_resources.unknown_value", "aws_s3_bucket_public_access_block.data"),
    ("failures", "public_resources.unknown_value", "aws_subnet.a"),
    ("failures", "public_resources.unknown_value", "aws_lb.front"),
    ("failures", "public_resources.unknown_value", "aws_launch_template.workers"),
    ("failures", "sources.provisioner", "terraform_data.bootstrap"),
}


@pytest.fixture(scope="module")
def plans(tf_cli_config: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """``terraform show -json`` of the fixture stacks (one plan each, ~8 s)."""
    out = {}
    for name in ("bad", "good", "evasions"):
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
def test_evasions_are_findings(plans: dict[str, dict[str, Any]]) -> None:
    results = check_everywhere(plans["evasions"])
    assert findings(results) == EVASION_FINDINGS
    msgs = {r["msg"].split(" [")[0] for entry in results for r in entry["failures"]}
    public = "which is public address space (outside private ranges and guardrails.network.public_cidrs)"
    assert {
        f"aws_security_group_rule.halves: ingress on ports 22-22 from 0.0.0.0/1, {public}",
        f"aws_security_group_rule.halves: ingress on ports 22-22 from 128.0.0.0/1, {public}",
        "aws_vpc_security_group_ingress_rule.computed: cidr_ipv4 is known only after apply, so the policy cannot "
        "tell whether this ingress is open to the internet",
        "aws_security_group.dynamic: cidr_blocks is known only after apply, so the policy cannot tell whether this "
        "ingress is open to the internet",
        "aws_lb.front: internal is known only after apply, so the policy cannot tell whether the load balancer "
        "faces the internet",
        "aws_launch_template.workers: network_interfaces[0].associate_public_ip_address is known only after apply, "
        "so the policy cannot tell whether instances launched from it get a public address",
        "terraform_data.bootstrap: has provisioner(s) local-exec, which run commands outside any provider during "
        "terraform apply",
    } <= msgs


@pytest.mark.terraform
def test_good_stack_is_clean(plans: dict[str, dict[str, Any]]) -> None:
    results = check_everywhere(plans["good"])
    assert findings(results) == set()
    # deny and warn of five policies; deny and no warn of exceptions and of unique_names
    assert counts(results)["successes"] == 2 * 5 + 2 * 2


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
