"""The one naming function and its per-resource AWS limits."""

from __future__ import annotations

import pytest

from platform_constructs.errors import ConfigError
from platform_constructs.naming import Kind, check_name, resource_name, state_bucket_name


def test_spec_examples() -> None:
    assert resource_name("prod", "fileflow", "ecs") == "prod-fileflow-ecs"
    assert resource_name("dev", "crawlinghub", "rds", Kind.RDS_INSTANCE) == "dev-crawlinghub-rds"


def test_alb_limit_is_refused_not_truncated() -> None:
    assert resource_name("prod", "crawlinghub", "public-alb", Kind.ALB) == "prod-crawlinghub-public-alb"
    with pytest.raises(ConfigError) as info:
        resource_name("prod", "crawlinghub", "internal-api-alb", Kind.ALB)  # 33 characters
    message = str(info.value)
    assert "33 characters; the limit is 1-32" in message and "never truncated" in message


@pytest.mark.parametrize(
    "kind, name, needle",
    [
        (Kind.S3_BUCKET, "Acme-Terraform-State", "lower-case"),
        (Kind.S3_BUCKET, "ab", "limit is 3-63"),
        (Kind.S3_BUCKET, "x" * 64, "limit is 3-63"),
        (Kind.S3_BUCKET, "xn--bucket", "must not start with 'xn--'"),
        (Kind.S3_BUCKET, "acme.state", "no dots"),
        (Kind.IAM_ROLE, "r" * 65, "limit is 1-64"),
        (Kind.TARGET_GROUP, "-tg", "inner hyphens"),
        (Kind.KMS_ALIAS, "alias/aws/s3", "must not start with 'alias/aws/'"),
        (Kind.RDS_INSTANCE, "1db", "starting with a letter"),
        (Kind.RDS_INSTANCE, "db--x", "single inner hyphens"),
        (Kind.LOG_GROUP, "/aws/ecs/a b", "letters, digits"),
    ],
)
def test_limits(kind: Kind, name: str, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        check_name(kind, name)
    assert needle in str(info.value)


@pytest.mark.parametrize("segment", ["Prod", "pr od", "prod-", "", "p_rod", "${x}"])
def test_segments_are_checked(segment: str) -> None:
    with pytest.raises(ConfigError):
        resource_name(segment, "fileflow", "ecs")
    with pytest.raises(ConfigError):
        resource_name("prod", segment, "ecs")


def test_state_bucket_name() -> None:
    assert state_bucket_name("acme", "123456789012") == "acme-terraform-state-123456789012"
    with pytest.raises(ConfigError):
        state_bucket_name("a" * 40, "123456789012")
