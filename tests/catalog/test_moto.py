"""``terraform apply`` of every catalog example against moto (AWS APIs emulated on 127.0.0.1).

The examples' defaults are placeholder ids (``vpc-0123456789abcdef0``...). Here a real network and the
shared prerequisites (VPC, subnets in three zones, a KMS key, a log bucket, an ACM certificate, a secret,
an ECS cluster, a WAF web ACL) are created in moto first, and every example variable whose name asks for
one of them gets the real id. After the apply, a second plan must be empty (what was written reads back).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hcl2
import pytest

from platform_constructs.tf import Terraform
from support.catalog import CATALOG
from support.moto_server import MotoServer

pytestmark = [pytest.mark.moto, pytest.mark.terraform, pytest.mark.slow]

#: Examples not applied here, with the reason (the suite must stay under 15 minutes on 2 cores).
NOT_APPLIED = {
    "rds/examples/postgresql": "the same module path (created key, postgres parameter group, single-AZ) is applied "
    "by examples/complete; each aws_db_instance create takes ~170 s on moto (the provider's availability wait)",
    "rds/examples/mysql-multi-az": "time budget: a second ~170 s aws_db_instance create; its MySQL parameter and "
    "option groups and the given key are proven by plan (test_catalog_rds.py), not by apply",
    "alb/examples/https-basic": "time budget (the provider waits 2 x 30 s per load balancer): the same module path "
    "(HTTPS listener with a given certificate, HTTP redirect, access logs, one target group) is applied by "
    "examples/complete, and alb/examples/multi-target applies the keyed target groups and rules",
}
EXAMPLES = sorted(
    str(p.parent.relative_to(CATALOG))
    for p in CATALOG.glob("**/examples/*/main.tf")
    if ".terraform" not in p.parts and str(p.parent.relative_to(CATALOG)) not in NOT_APPLIED
)

#: What moto 5.2.5 cannot take, per example: (regex over the planned resource address, reason). Those
#: resources are left out with ``-target`` of every other planned resource; the rest applies for real.
MOTO_GAPS: dict[str, list[tuple[str, str]]] = {
    "ecs_service/examples/ci-deployed": [
        (
            r"aws_appautoscaling_",
            "moto's Application Auto Scaling has no ListTagsForResource: the provider retries the 500 until "
            "its timeout when it reads the tags of a scalable target",
        ),
    ],
}
#: Attributes moto does not store or return, so the plan after apply shows a change on these resources
#: (on AWS it is empty). Any other resource with a change fails the test.
READBACK_GAPS: dict[str, str] = {
    r"aws_ecs_service\.": "moto returns no availability_zone_rebalancing, enable_ecs_managed_tags or "
    "health_check_grace_period_seconds for a service",
    r"aws_service_discovery_service\.": "moto returns no health_check_custom_config (forces replacement)",
    r"aws_db_instance\.": "moto does not store Performance Insights (enabled, KMS key, retention)",
    r"aws_db_parameter_group\.": "moto's DescribeDBParameters does not return the group's user parameters",
}


def prerequisites(moto: MotoServer) -> dict[str, Any]:
    """Real ids in moto for what examples take as inputs."""
    ec2 = moto.boto3("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"ap-northeast-2{zone}")["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate("abc")
    ]
    sg = ec2.create_security_group(GroupName="prereq", Description="prerequisite", VpcId=vpc)["GroupId"]
    kms = moto.boto3("kms").create_key(Description="prerequisite")["KeyMetadata"]["Arn"]
    s3 = moto.boto3("s3")
    s3.create_bucket(Bucket="acme-alb-logs", CreateBucketConfiguration={"LocationConstraint": "ap-northeast-2"})
    cert = moto.boto3("acm").request_certificate(DomainName="app.acme.example")["CertificateArn"]
    secret = moto.boto3("secretsmanager").create_secret(Name="prereq/db", SecretString="x")["ARN"]
    cluster = moto.boto3("ecs").create_cluster(clusterName="prereq")["cluster"]["clusterArn"]
    web_acl = moto.boto3("wafv2").create_web_acl(
        Name="prereq",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "prereq"},
    )["Summary"]["ARN"]
    return {
        "vpc_id": vpc,
        "subnet_ids": subnets,
        "security_group_id": sg,
        "kms_key_arn": kms,
        "bucket": "acme-alb-logs",
        "certificate_arn": cert,
        "secret_arn": secret,
        "cluster_arn": cluster,
        "web_acl_arn": web_acl,
    }


def overrides(variables: dict[str, Any], real: dict[str, Any]) -> dict[str, Any]:
    """Real values for the example's variables, chosen by name (the examples follow the modules' names)."""
    out: dict[str, Any] = {}
    for name, body in variables.items():
        default = body.get("default")
        if name == "vpc_id":
            out[name] = real["vpc_id"]
        elif name.endswith("subnet_ids"):
            out[name] = real["subnet_ids"]
        elif name.endswith("security_group_id"):
            out[name] = real["security_group_id"]
        elif name.endswith("security_group_ids") and isinstance(default, list):
            out[name] = [real["security_group_id"]]
        elif name.endswith("kms_key_arn"):
            out[name] = real["kms_key_arn"]
        elif name.endswith("certificate_arn"):
            out[name] = real["certificate_arn"]
        elif name.endswith("logs_bucket") or name.endswith("log_bucket"):
            out[name] = real["bucket"]
        elif name == "cluster_arn":
            out[name] = real["cluster_arn"]
        elif name == "web_acl_arn" and default is not None:
            out[name] = real["web_acl_arn"]
        elif name.endswith("secret_arns") and isinstance(default, list):
            out[name] = [real["secret_arn"]]
    return out


def _variables(example_dir: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for tf_file in example_dir.glob("*.tf"):
        for block in hcl2.loads(tf_file.read_text()).get("variable", []):
            ((name, body),) = block.items()
            found[name.strip('"')] = body
    return found


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_applies_on_moto(
    example: str, moto: MotoServer, terraform: Callable[..., Terraform], tmp_path: Path
) -> None:
    real = prerequisites(moto)
    copy = tmp_path / "modules_out"
    shutil.copytree(CATALOG, copy, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
    work = copy / example
    (work / "moto_override.tf.json").write_text(moto.provider_override())
    values = overrides(_variables(work), real)
    (work / "moto.auto.tfvars.json").write_text(json.dumps(values, indent=2))
    tf = terraform(work, env=moto.env())
    tf.init(backend=False)
    targets = _targets(tf, tmp_path, MOTO_GAPS.get(example, []))
    result = tf.run("apply", "-input=false", "-auto-approve", "-no-color", *targets, check=False, timeout=600)
    assert result.returncode == 0, f"apply failed:\n{result.stderr[-4000:]}\n--- moto log ---\n{moto.log_tail()}"
    # `state list` reads the state alone; `show -json` would load the provider's schema (~3 s) for the same answer
    assert tf.run("state", "list").stdout.strip(), "nothing was applied"
    changed = _changes_after_apply(tf, targets)
    unexplained = [a for a in changed if not any(re.search(p, a) for p in READBACK_GAPS)]
    if unexplained:
        text = tf.plan("-input=false", *targets, check=False).stdout
        pytest.fail(
            f"the plan after apply changes {unexplained} (what was written does not read back):\n{text[-4000:]}"
        )


def _changes_after_apply(tf: Terraform, targets: list[str]) -> list[str]:
    """Addresses a fresh plan would change (no-ops and data reads aside), from ONE ``plan -json``.

    The streamed ``planned_change`` messages carry the address and action of every change, so no saved
    plan and no ``show -json`` (a second provider schema load) are needed; Terraform emits none for no-ops.
    """
    result = tf.plan("-input=false", "-json", *targets, check=False)
    messages = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    errors = [m["diagnostic"] for m in messages if m.get("type") == "diagnostic" and m["@level"] == "error"]
    assert result.returncode == 0 and not errors, f"the plan after apply failed: {errors}\n{result.stderr}"
    return [
        m["change"]["resource"]["addr"]
        for m in messages
        if m.get("type") == "planned_change" and m["change"]["action"] not in ("noop", "read")
    ]


def _targets(tf: Terraform, tmp_path: Path, gaps: list[tuple[str, str]]) -> list[str]:
    """``-target`` for every planned resource moto can take; none when the example has no gaps."""
    if not gaps:
        return []
    tf.plan("-input=false", out=str(tmp_path / "all.bin"))
    planned = [
        rc["address"] for rc in tf.show_json(str(tmp_path / "all.bin"))["resource_changes"] if rc["mode"] == "managed"
    ]
    kept = [a for a in planned if not any(re.search(pattern, a) for pattern, _ in gaps)]
    assert len(kept) < len(planned), f"MOTO_GAPS of this example match nothing any more: {gaps}"
    return [f"-target={a}" for a in kept]
