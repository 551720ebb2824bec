"""The data document the Rego policies read (``data.guardrails``), built from ``platform.yaml``.

Policies hold no organisation facts: required tags, environments, services, fixed names and exceptions
come from here, so onboarding a service in the registry is enough for the policies to accept it.
``infra policy data > data.json`` writes it for ``conftest test --data data.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import yaml

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.registry import Registry
from platform_constructs.registry.conventions import MANAGED_BY, PLATFORM_SERVICE, REQUIRED_TAGS, SHARED_SCOPE
from platform_tools.guardrails.suppressions import validity_problems
from platform_tools.resources import policy_dir

#: relative to the policy folder
TAGGABLE_FILE = Path("data/aws_taggable.json")
EXCEPTIONS_FILE = Path("exceptions.yaml")
EXCEPTION_FIELDS = ("id", "service", "rule", "address", "reason", "approver", "ticket", "approved", "expires")
#: the shape of a rule id (``<policy package>.<rule>``)
RULE_ID = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z0-9_]*$")

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

#: Name namespaces for unique_names.rego: resource types whose names AWS keeps unique, and which types share one
#: namespace. The name attribute is NAME_ATTRIBUTES' (``attribute`` here only for types naming.rego does not judge).
#: ``case_insensitive``: AWS refuses a second name differing only in case (IAM) or stores names lower-cased (RDS,
#: ElastiCache). ``scope_attribute``: the namespace is per value of that attribute (a security group name is unique
#: per VPC, an ECS service name per cluster, a rule name per event bus), ``scope_default`` when it is unset. Every
#: other namespace is the plan's account and region (IAM names are account-wide, S3 bucket names global, the rest
#: per region); policy/README.md says what that means for a plan with providers in several regions.
NAME_NAMESPACES: dict[str, dict[str, Any]] = {
    "aws_s3_bucket": {"namespace": "s3 bucket"},
    "aws_dynamodb_table": {"namespace": "DynamoDB table"},
    "aws_kms_alias": {"namespace": "KMS alias"},
    "aws_lb": {"namespace": "load balancer"},
    "aws_alb": {"namespace": "load balancer"},
    "aws_lb_target_group": {"namespace": "target group"},
    "aws_alb_target_group": {"namespace": "target group", "attribute": "name"},
    "aws_security_group": {"namespace": "security group", "scope_attribute": "vpc_id", "scope_default": "default VPC"},
    "aws_ecs_cluster": {"namespace": "ECS cluster"},
    "aws_ecs_service": {"namespace": "ECS service", "scope_attribute": "cluster", "scope_default": "default"},
    "aws_iam_role": {"namespace": "IAM role", "case_insensitive": True},
    "aws_iam_policy": {"namespace": "IAM policy", "case_insensitive": True},
    "aws_iam_user": {"namespace": "IAM user", "case_insensitive": True, "attribute": "name"},
    "aws_iam_group": {"namespace": "IAM group", "case_insensitive": True, "attribute": "name"},
    "aws_iam_instance_profile": {"namespace": "IAM instance profile", "case_insensitive": True, "attribute": "name"},
    "aws_lambda_function": {"namespace": "Lambda function"},
    "aws_sns_topic": {"namespace": "SNS topic"},
    "aws_sqs_queue": {"namespace": "SQS queue"},
    "aws_db_instance": {"namespace": "RDS DB instance", "case_insensitive": True},
    "aws_rds_cluster": {"namespace": "RDS DB cluster", "case_insensitive": True},
    "aws_db_subnet_group": {"namespace": "RDS DB subnet group", "case_insensitive": True},
    "aws_db_parameter_group": {"namespace": "RDS DB parameter group", "case_insensitive": True},
    "aws_elasticache_replication_group": {"namespace": "ElastiCache replication group", "case_insensitive": True},
    "aws_cloudwatch_event_rule": {
        "namespace": "EventBridge rule",
        "scope_attribute": "event_bus_name",
        "scope_default": "default",
    },
    "aws_cloudwatch_log_group": {"namespace": "CloudWatch log group", "attribute": "name"},
}


def name_namespaces() -> dict[str, dict[str, Any]]:
    """``guardrails.name_namespaces``: :data:`NAME_NAMESPACES` with every entry's name attribute filled in from
    :data:`NAME_ATTRIBUTES` (one table says where a type keeps its name) and every flag explicit."""
    out = {}
    for rtype, spec in NAME_NAMESPACES.items():
        attribute = spec.get("attribute") or NAME_ATTRIBUTES[rtype]["attribute"]
        out[rtype] = {
            "namespace": spec["namespace"],
            "attribute": attribute,
            "case_insensitive": bool(spec.get("case_insensitive", False)),
            "scope_attribute": spec.get("scope_attribute", ""),
            "scope_default": spec.get("scope_default", ""),
        }
    return out


#: rules no exception may waive: a duplicate name fails at apply whatever anybody approved
UNWAIVABLE_RULES = ("unique_names.duplicate",)

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


def public_cidrs(registry: Registry) -> list[dict[str, str]]:
    """``guardrails.network.public_cidrs`` for security_groups.rego: the public ranges an ingress rule may open to.
    The registry model refuses malformed, wide and IPv4-embedding ranges (``IPV4_TRANSLATION_RANGES``), so
    ``infra registry check`` and the policy agree on what may be listed."""
    return [{"cidr": e.cidr, "description": e.description} for e in registry.guardrails.network.public_cidrs]


#: Provider source addresses without a host name mean the public registry.
DEFAULT_PROVIDER_HOST = "registry.terraform.io"


def normalise_provider(source: str) -> str:
    """``aws``, ``hashicorp/aws`` and ``registry.terraform.io/hashicorp/aws`` are one provider (Terraform reads a
    bare name as the hashicorp namespace, as CDKTF writes it); case does not matter. The one normalisation for
    sources.rego (the plan's provider names) and infra gate's pre-flight (the HCL)."""
    parts = source.strip().lower().split("/")
    if len(parts) == 1:
        parts = [DEFAULT_PROVIDER_HOST, "hashicorp", *parts]
    elif len(parts) == 2:
        parts = [DEFAULT_PROVIDER_HOST, *parts]
    return "/".join(parts)


def sources(registry: Registry) -> dict[str, Any]:
    """What sources.rego allows a plan to take code from: the catalog's ``git::`` prefix (a module and a release
    follow it), the registry's module source prefixes, and its providers (normalised)."""
    guard = registry.guardrails.sources
    return {
        "catalog": f"{registry.github.catalog_source}/",
        "modules": list(guard.modules),
        "providers": sorted({normalise_provider(p) for p in guard.providers}),
    }


def taggable_types(path: Path | None = None) -> list[str]:
    data: dict[str, Any] = json.loads((path or policy_dir() / TAGGABLE_FILE).read_text())
    return list(data["types"])


def load_exceptions(
    registry: Registry,
    service: str | None = None,
    *,
    path: Path | None = None,
    today: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The exceptions of ``service``'s runs (none without a service), after checking the whole register.

    Every entry must name its service: an exception approved for one service's resource must not silence the
    same address in another service's plan, so an entry without ``service`` is refused, not applied to all.
    Every entry must also keep the approval window of the scanner skips (real dates, approved no later than
    today, expires at most 365 days after approved: :func:`~platform_tools.guardrails.suppressions.
    validity_problems`). Expiry is judged only for the entries this run would apply (all of them when no service
    is given, as in the platform repository's own CI): one service's lapsed exception must not stop every other
    service's PR check. Any problem refuses the whole document (:class:`ConfigError`, exit 2) with the file, the
    entry index, the field and the fix; the Rego policies re-check what they can (exceptions.rego) for data built
    by other means.
    """
    path = path or policy_dir() / EXCEPTIONS_FILE
    if not path.is_file():
        return []
    # the UTC day, as the policies' time.now_ns: a date valid here must be valid there
    today = today or dt.datetime.now(dt.UTC).date()
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise ConfigError(str(path), [Problem(str(path), f"is not valid YAML: {err}")]) from None
    entries = raw.get("exceptions", []) if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(
            str(path),
            [Problem("exceptions", "must be a list of mappings", type(entries).__name__, "see policy/README.md")],
        )
    problems = exception_problems(entries, registry, today, service=service, file=path.name)
    if problems:
        raise ConfigError(str(path), problems)
    return [
        {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in entry.items()}
        for entry in entries
        if service is not None and entry.get("service") == service
    ]


def exception_problems(
    entries: list[dict[str, Any]], registry: Registry, today: dt.date, *, service: str | None, file: str
) -> list[Problem]:
    """Everything wrong with the register, located as ``FILE: exceptions[i] (ID).field``."""
    out: list[Problem] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        where = f"{file}: exceptions[{i}] ({entry.get('id') or 'no id'})"
        unknown = sorted(set(entry) - set(EXCEPTION_FIELDS))
        if unknown:
            out.append(Problem(where, "has fields the register does not know", unknown, _FIELD_LIST))
        for key in EXCEPTION_FIELDS:
            value = entry.get(key)
            if key in ("approved", "expires"):
                continue  # dates: validity_problems below
            if not isinstance(value, str) or not value.strip():
                out.append(Problem(f"{where}.{key}", "is required", value, _EXCEPTION_FIX[key]))
        scoped = entry.get("service")
        if isinstance(scoped, str) and scoped.strip():
            problem = registry.service_problem(scoped, field=f"{where}.service")
            if problem is not None:
                out.append(problem)
        rule = entry.get("rule")
        if isinstance(rule, str) and rule.strip() and not RULE_ID.match(rule):
            out.append(Problem(f"{where}.rule", "is not a policy rule id", rule, _EXCEPTION_FIX["rule"]))
        elif rule in UNWAIVABLE_RULES:
            out.append(
                Problem(
                    f"{where}.rule",
                    "cannot be excepted: AWS refuses the second resource of a duplicate name at apply, whatever is "
                    "approved here",
                    rule,
                    "rename one of the two resources (a distinct name segment or module input) and delete the entry",
                )
            )
        ident = entry.get("id")
        if isinstance(ident, str) and ident in seen:
            out.append(
                Problem(
                    f"{where}.id", f"repeats the id of exceptions[{seen[ident]}]", ident, "give each entry its own id"
                )
            )
        elif isinstance(ident, str):
            seen[ident] = i
        in_scope = service is None or scoped == service
        out += validity_problems(
            where,
            entry.get("approved"),
            entry.get("expires"),
            today,
            renew="fix the finding and delete the exception, or renew it (new approval, new dates) in a PR approved "
            "by the platform team",
            judge_expiry=in_scope,
        )
    return out


#: what each exception field must say, for the error that names it
_EXCEPTION_FIX = {
    "id": "a unique id such as EXC-0007 (the PR comment quotes it)",
    "service": "the service (platform.yaml services[].name) whose PR checks may use it; one entry per service",
    "rule": "the rule id the finding names, such as security_groups.open_ingress",
    "address": "a glob over the resource address, such as module.bastion.aws_security_group.this",
    "reason": "why the finding is acceptable for this resource, and until when",
    "approver": "who in the platform team approved it",
    "ticket": "the issue or ticket that records the decision",
}
_FIELD_LIST = f"use only {', '.join(EXCEPTION_FIELDS)} (policy/README.md#exceptions)"


def build_data(
    registry: Registry,
    *,
    service: str | None = None,
    exceptions_file: Path | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """``{"guardrails": {...}}``: conftest merges a --data file at the root of ``data``.

    ``service`` is the service whose plan is checked: only its exceptions are in the document (and the policies
    apply an exception only when its service is this one). Without it no exception applies.
    """
    if service is not None:
        registry.service(service, field="--service")  # unknown: a ConfigError naming the registered ones
    return {
        "guardrails": {
            "service": service,
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
            "name_namespaces": name_namespaces(),
            "fixed_names": fixed_names(registry),
            "fixed_name_patterns": [r"^atlantis-target-[a-z0-9-]+$"],
            "public_subnet_tiers": list(PUBLIC_SUBNET_TIERS),
            "public_lb_markers": list(PUBLIC_LB_MARKERS),
            "public_cidrs": public_cidrs(registry),
            "sources": sources(registry),
            "exceptions": load_exceptions(registry, service, path=exceptions_file, today=today),
        }
    }
