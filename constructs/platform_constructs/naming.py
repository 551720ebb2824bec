"""The one naming function: ``{env}-{service}-{resource-type}``, checked against each AWS limit.

A name that cannot fit is an error at synth time. Truncating instead would let two long names collide
(``prod-crawlinghub-api-tg`` and ``prod-crawlinghub-api-tg2`` cut to 32 characters are the same), and
the collision would only surface at apply time, in production.

Names the spec fixes (``terraform-state-lock``, ``atlantis-task-role``, ``infrastructure-cluster``, the
state bucket ``{org}-terraform-state-{account-id}``) go through :func:`check_name` so the same limits
hold for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from platform_constructs.errors import ConfigError, Problem

#: A name segment (env, service, resource type): lower-case, starts with a letter, single inner hyphens. The one
#: definition: the registry's name fields and the catalog modules' ``environment``/``service_name`` use it too.
SEGMENT_PATTERN = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
SEGMENT = re.compile(f"^{SEGMENT_PATTERN}$")


@dataclass(frozen=True)
class NameRule:
    max_len: int
    pattern: str
    charset: str
    min_len: int = 1
    forbidden_prefixes: tuple[str, ...] = ()
    forbidden_suffixes: tuple[str, ...] = ()
    #: distinguishes kinds whose limits are identical (an Enum would otherwise merge them into one member)
    kind: str = ""

    def problems(self, name: str) -> list[str]:
        found = []
        if not self.min_len <= len(name) <= self.max_len:
            found.append(f"is {len(name)} characters; the limit is {self.min_len}-{self.max_len}")
        if not re.fullmatch(self.pattern, name):
            found.append(f"may only contain {self.charset}")
        found += [f"must not start with {p!r}" for p in self.forbidden_prefixes if name.startswith(p)]
        found += [f"must not end with {s!r}" for s in self.forbidden_suffixes if name.endswith(s)]
        return found


_HYPHENATED = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"


class Kind(Enum):
    """AWS resource kinds with their name limits (from the AWS API references)."""

    S3_BUCKET = NameRule(
        63,
        r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?",
        "lower-case letters, digits and inner hyphens (no dots: they break TLS for virtual-hosted URLs)",
        min_len=3,
        forbidden_prefixes=("xn--", "sthree-", "amzn-s3-demo-"),
        forbidden_suffixes=("-s3alias", "--ol-s3", "--x-s3", ".mrap", "--table-s3"),
    )
    DYNAMODB_TABLE = NameRule(255, r"[a-zA-Z0-9_.-]+", "letters, digits, '_', '.', '-'", min_len=3)
    KMS_ALIAS = NameRule(
        256,
        r"alias/[a-zA-Z0-9/_-]+",
        "'alias/' then letters, digits, '/', '_', '-'",
        forbidden_prefixes=("alias/aws/",),
    )
    IAM_ROLE = NameRule(64, r"[A-Za-z0-9_+=,.@-]+", "letters, digits and '+=,.@_-'")
    IAM_POLICY = NameRule(128, r"[A-Za-z0-9_+=,.@-]+", "letters, digits and '+=,.@_-'")
    ALB = NameRule(32, _HYPHENATED, "letters, digits and inner hyphens", forbidden_prefixes=("internal-",))
    TARGET_GROUP = NameRule(32, _HYPHENATED, "letters, digits and inner hyphens")
    SECURITY_GROUP = NameRule(
        255,
        r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+",
        "ASCII letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
        forbidden_prefixes=("sg-",),
    )
    ECS_CLUSTER = NameRule(255, r"[a-zA-Z0-9_-]+", "letters, digits, '_', '-'", kind="ecs cluster")
    ECS_SERVICE = NameRule(255, r"[a-zA-Z0-9_-]+", "letters, digits, '_', '-'", kind="ecs service")
    LOG_GROUP = NameRule(512, r"[.\-_/#A-Za-z0-9]+", "letters, digits and '._-/#'")
    LAMBDA_FUNCTION = NameRule(64, r"[a-zA-Z0-9_-]+", "letters, digits, '_', '-'")
    SNS_TOPIC = NameRule(256, r"[A-Za-z0-9_-]+", "letters, digits, '_', '-'")
    SECRET = NameRule(512, r"[A-Za-z0-9/_+=.@-]+", "letters, digits and '/_+=.@-'")
    RDS_INSTANCE = NameRule(
        63, r"[a-z](?:-?[a-z0-9]+)*", "lower-case letters, digits and single inner hyphens, starting with a letter"
    )
    CLOUDWATCH_ALARM = NameRule(255, r"[^\x00-\x1f]+", "printable characters")
    EVENTBRIDGE_RULE = NameRule(64, r"[.\-_A-Za-z0-9]+", "letters, digits and '.-_'")
    GENERIC = NameRule(255, r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?", "lower-case letters, digits and inner hyphens")


def check_name(kind: Kind, name: str, field: str = "name") -> str:
    """Return ``name`` if AWS accepts it for ``kind``; otherwise raise naming the field and the limit."""
    found = kind.value.problems(name)
    if found:
        raise ConfigError(
            f"{kind.name.lower()} name",
            [Problem(field, f"{kind.name.lower()} name {f}", name, _fix_for(kind)) for f in found],
        )
    return name


def _fix_for(kind: Kind) -> str:
    return (
        f"shorten the service or resource-type segment (limit {kind.value.max_len} for "
        f"{kind.name.lower()}); names are never truncated because truncated names can collide"
    )


def resource_name(env: str, service: str, resource_type: str, kind: Kind = Kind.GENERIC) -> str:
    """Build ``{env}-{service}-{resource-type}`` and prove it fits ``kind``'s limits."""
    problems = [
        Problem(
            field,
            "must be lower-case letters and digits, starting with a letter, single inner hyphens",
            value,
            "rename it in platform.yaml or in the construct props",
        )
        for field, value in (("env", env), ("service", service), ("resource_type", resource_type))
        if not SEGMENT.fullmatch(value)
    ]
    if problems:
        raise ConfigError("resource name", problems)
    return check_name(kind, f"{env}-{service}-{resource_type}", field=f"{env}-{service}-{resource_type}")


def state_bucket_name(org: str, account_id: str) -> str:
    """The spec's state bucket name, ``{org}-terraform-state-{account-id}``."""
    return check_name(Kind.S3_BUCKET, f"{org}-terraform-state-{account_id}", field="state bucket")
