"""``terraform apply`` of every catalog example against moto (AWS APIs emulated on 127.0.0.1).

The examples' defaults are placeholder ids (``vpc-0123456789abcdef0``...). Here a real network and the
shared prerequisites (VPC, subnets in three zones, a KMS key, a log bucket, an ACM certificate, a secret,
an ECS cluster, a WAF web ACL) are created in moto first, and every example variable whose name asks for
one of them gets the real id. After the apply, a second plan must be empty (what was written reads back).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hcl2
import pytest

from catalog_harness import CATALOG
from conftest import MotoServer
from platform_constructs.tf import Terraform

pytestmark = [pytest.mark.moto, pytest.mark.terraform, pytest.mark.slow]

EXAMPLES = sorted(
    str(p.parent.relative_to(CATALOG)) for p in CATALOG.glob("**/examples/*/main.tf") if ".terraform" not in p.parts
)

#: resource addresses (regex over the planned address) moto 5.2.5 cannot create, with the reason
MOTO_GAPS: dict[str, str] = {}


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
    result = tf.run("apply", "-input=false", "-auto-approve", "-no-color", check=False, timeout=900)
    assert result.returncode == 0, f"apply failed:\n{result.stderr[-4000:]}\n--- moto log ---\n{moto.log_tail()}"
    state = tf.run("show", "-json").json()
    resources = state["values"]["root_module"]
    assert resources, "nothing was applied"
    plan = tf.run("plan", "-input=false", "-no-color", "-detailed-exitcode", check=False)
    assert plan.returncode == 0, f"a second plan is not empty:\n{plan.stdout[-3000:]}"
