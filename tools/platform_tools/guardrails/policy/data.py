"""The data document the Rego policies read (``data.guardrails``), built from ``platform.yaml``.

Policies hold no organisation facts: required tags, environments, services, fixed names and exceptions
come from here, so onboarding a service in the registry is enough for the policies to accept it.
``infra policy data > data.json`` writes it for ``conftest test --data data.json``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import yaml

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.registry import Registry
from platform_constructs.registry.conventions import MANAGED_BY, PLATFORM_SERVICE, REQUIRED_TAGS, SHARED_SCOPE
from platform_tools.resources import policy_dir

#: relative to the policy folder
TAGGABLE_FILE = Path("data/aws_taggable.json")
EXCEPTIONS_FILE = Path("exceptions.yaml")
EXCEPTION_FIELDS = ("id", "rule", "address", "reason", "approver", "ticket", "expires")

#: Resource types whose name the naming policy checks, and the argument that holds the name.
NAME_ATTRIBUTES: dict[str, dict[str, str]] = {
    "aws_s3_bucket": {"attribute": "bucket"},
    "aws_dynamodb_table": {"attribute": "name"},
    "aws_kms_alias": {"attribute": "name", "strip_prefix": "alias/"},
    "aws_lb": {"attribute": "name"},
    "aws_alb": {"attribute": "name"},
    "aws_lb_target_group": {"attribute": "name"},
    "aws_security_group": {"attribute": "name"},
    "aws_ecs_cluster": {"attribute": "name"},
    "aws_ecs_service": {"attribute": "name"},
    "aws_iam_role": {"attribute": "name"},
    "aws_iam_policy": {"attribute": "name"},
    "aws_lambda_function": {"attribute": "function_name"},
    "aws_sns_topic": {"attribute": "name"},
    "aws_sqs_queue": {"attribute": "name"},
    "aws_db_instance": {"attribute": "identifier"},
    "aws_rds_cluster": {"attribute": "cluster_identifier"},
    "aws_db_subnet_group": {"attribute": "name"},
    "aws_db_parameter_group": {"attribute": "name"},
    "aws_elasticache_replication_group": {"attribute": "replication_group_id"},
    "aws_cloudwatch_event_rule": {"attribute": "name"},
}

#: Subnet Name-tag segments that mark a public tier (public IPs on launch allowed).
PUBLIC_SUBNET_TIERS = ("public",)
#: Name segments or Exposure tag values that mark a load balancer as meant to face the internet.
PUBLIC_LB_MARKERS = ("public", "external", "web")


def fixed_names(registry: Registry) -> list[str]:
    """Names the spec fixes instead of the pattern (docs/naming-and-tags.md#fixed-names-from-the-spec)."""
    bucket = registry.state_bucket
    return sorted(
        {
            bucket,
            f"{bucket}-access-logs",
            registry.state_backend.lock_table_name,
            registry.state_backend.key_alias,
            registry.platform.atlantis_role_name,
            "infrastructure-cluster",
        }
    )


def taggable_types(path: Path | None = None) -> list[str]:
    data: dict[str, Any] = json.loads((path or policy_dir() / TAGGABLE_FILE).read_text())
    return list(data["types"])


def load_exceptions(path: Path | None = None, service: str | None = None) -> list[dict[str, Any]]:
    """Exception entries, as written (Rego re-checks completeness and expiry), optionally one service's.

    Structural problems (not a list, not mappings) are input errors; missing fields and past expiry dates
    are left to the policies, which report them as findings so they show up in the PR.
    """
    path = path or policy_dir() / EXCEPTIONS_FILE
    if not path.is_file():
        return []
    raw = yaml.safe_load(path.read_text()) or {}
    entries = raw.get("exceptions", []) if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(
            str(path),
            [Problem("exceptions", "must be a list of mappings", type(entries).__name__, "see policy/README.md")],
        )
    out = []
    for entry in entries:
        item = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in entry.items()}
        if service is None or item.get("service") in (None, service):
            out.append(item)
    return out


def build_data(
    registry: Registry, *, service: str | None = None, exceptions_file: Path | None = None
) -> dict[str, Any]:
    """``{"guardrails": {...}}``: conftest merges a --data file at the root of ``data``."""
    if service is not None:
        registry.service(service, field="--service")  # unknown: a ConfigError naming the registered ones
    return {
        "guardrails": {
            "required_tags": list(REQUIRED_TAGS),
            "managed_by": MANAGED_BY,
            "environments": list(registry.environments),
            "shared_environment": SHARED_SCOPE,
            "platform_service": PLATFORM_SERVICE,
            "services": {
                s.name: {"Team": s.team, "Owner": s.owner, "CostCenter": s.cost_center} for s in registry.services
            },
            "platform": {
                "Team": registry.platform.team,
                "Owner": registry.platform.owner,
                "CostCenter": registry.platform.cost_center,
            },
            "taggable_types": dict.fromkeys(taggable_types(), True),
            "name_attributes": NAME_ATTRIBUTES,
            "fixed_names": fixed_names(registry),
            "fixed_name_patterns": [r"^atlantis-target-[a-z0-9-]+$"],
            "public_subnet_tiers": list(PUBLIC_SUBNET_TIERS),
            "public_lb_markers": list(PUBLIC_LB_MARKERS),
            "exceptions": load_exceptions(exceptions_file, service),
        }
    }
