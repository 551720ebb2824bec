"""A realistic synthetic plan for the benchmark (``make bench``) and the runner's tests: the 10,000-resource
figure the guardrails target is measured on it."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from platform_tools.guardrails.policy.runner import default_data
from platform_tools.guardrails.policy.table import counts


def synthetic_plan(n_resources: int = 10000) -> dict[str, Any]:
    """A realistic plan of ``n_resources``: mixed types, tags_all, security groups and rules, a few violations;
    every action create or update, so nothing is skipped for free."""
    tags = {
        "Environment": "dev",
        "Service": "fileflow",
        "Team": "storage",
        "Owner": "fileflow-lead@acme.example",
        "CostCenter": "CC-1001",
        "ManagedBy": "terraform",
    }
    changes: list[dict[str, Any]] = []
    config_modules: dict[str, Any] = {}
    i = 0
    while len(changes) < n_resources:
        mod = f"module.svc{i // 20}"
        name = f"r{i}"
        kind = i % 10
        after: dict[str, Any]
        if kind == 0:
            rtype, after = (
                "aws_security_group",
                {"name": f"dev-fileflow-s{i}-sg", "description": "x", "ingress": [], "tags": tags, "tags_all": tags},
            )
        elif kind == 1:
            rtype, after = (
                "aws_vpc_security_group_ingress_rule",
                {
                    "cidr_ipv4": "0.0.0.0/0" if i % 97 == 1 else "10.0.0.0/16",
                    "from_port": 443,
                    "to_port": 443,
                    "ip_protocol": "tcp",
                    "description": "https",
                    "tags": None,
                    "tags_all": tags,
                },
            )
        elif kind == 2:
            rtype, after = "aws_s3_bucket", {"bucket": f"dev-fileflow-b{i}", "tags": tags, "tags_all": tags}
        elif kind == 3:
            rtype, after = (
                "aws_s3_bucket_public_access_block",
                {
                    "block_public_acls": True,
                    "block_public_policy": True,
                    "ignore_public_acls": True,
                    "restrict_public_buckets": True,
                },
            )
        elif kind == 4:
            rtype, after = (
                "aws_iam_role",
                {
                    "name": f"dev-fileflow-role{i}" if i % 101 else f"Role{i}",
                    "assume_role_policy": "{}",
                    "tags": tags,
                    "tags_all": tags,
                },
            )
        elif kind == 5:
            rtype, after = (
                "aws_cloudwatch_log_group",
                {
                    "name": f"/ecs/dev/fileflow/{i}",
                    "retention_in_days": 30,
                    "tags": tags,
                    "tags_all": dict(tags) if i % 89 else {},
                },
            )
        elif kind == 6:
            rtype, after = (
                "aws_db_instance",
                {
                    "identifier": f"dev-fileflow-db{i}",
                    "publicly_accessible": False,
                    "engine": "postgres",
                    "tags": tags,
                    "tags_all": tags,
                },
            )
        elif kind == 7:
            rtype, after = (
                "aws_subnet",
                {
                    "cidr_block": "10.0.1.0/24",
                    "map_public_ip_on_launch": False,
                    "tags": {**tags, "Name": f"dev-fileflow-private-{i}"},
                    "tags_all": {**tags, "Name": f"dev-fileflow-private-{i}"},
                },
            )
        elif kind == 8:
            rtype, after = (
                "aws_ecs_service",
                {"name": f"dev-fileflow-svc{i}", "desired_count": 2, "tags": tags, "tags_all": tags},
            )
        else:
            rtype, after = (
                "aws_kms_key",
                {"description": "k", "enable_key_rotation": True, "tags": tags, "tags_all": tags},
            )
        after.update({f"extra_{k}": k for k in range(3)})
        changes.append(
            {
                "address": f"{mod}.{rtype}.{name}",
                "module_address": mod,
                "mode": "managed",
                "type": rtype,
                "name": name,
                "change": {
                    "actions": ["create"] if i % 3 else ["update"],
                    "after": after,
                    "after_unknown": {"id": True, "arn": True},
                },
            }
        )
        res_cfg: dict[str, Any] = {"address": f"{rtype}.{name}", "type": rtype, "expressions": {}}
        if kind == 1:
            res_cfg["expressions"]["security_group_id"] = {
                "references": [f"aws_security_group.r{i - 1}.id", f"aws_security_group.r{i - 1}"]
            }
        if kind == 3:
            res_cfg["expressions"]["bucket"] = {"references": [f"aws_s3_bucket.r{i - 1}.id", f"aws_s3_bucket.r{i - 1}"]}
        config_modules.setdefault(
            mod.removeprefix("module."), {"source": "./modules/svc", "module": {"resources": []}}
        )["module"]["resources"].append(res_cfg)
        i += 1
    return {
        "format_version": "1.2",
        "resource_changes": changes,
        "configuration": {"root_module": {"module_calls": config_modules}},
    }


def bench(n_resources: int = 10000, engine: str | None = None, workdir: Path | None = None) -> dict[str, float]:
    """Where the time of one policy check goes, in this process (scripts/bench.py adds the CLI's wall time).

    The plan is written to a file and read back like ``infra policy check`` does: JSON load, the resource view,
    the engine over the CPU cores, the merge; then the whole check again, warm (engine compiled, same process).
    """
    import tempfile

    from platform_tools.guardrails.policy.engines import select
    from platform_tools.guardrails.policy.runner import check_path, evaluate_view, merge_results, no_garbage_collection
    from platform_tools.guardrails.policy.view import view
    from platform_tools.resources import policy_dir

    rego = select(engine)
    rego.clear_cache()
    data = default_data()
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        path = Path(tmp) / "plan.json"
        path.write_text(json.dumps(synthetic_plan(n_resources)))
        with no_garbage_collection():
            t0 = time.perf_counter()
            plan = json.loads(path.read_text())
            t1 = time.perf_counter()
            context = view(plan)
            t2 = time.perf_counter()
            parts = evaluate_view(context, rego, data, policy_dir())
            t3 = time.perf_counter()
            results = merge_results(parts, str(path))
            t4 = time.perf_counter()
        check_path(path, data=data, engine=rego)
        t5 = time.perf_counter()
    c = counts(results)
    return {
        "resources": float(n_resources),
        "json_load_s": round(t1 - t0, 3),
        "view_s": round(t2 - t1, 3),
        "engine_s": round(t3 - t2, 3),
        "merge_s": round(t4 - t3, 3),
        "check_s": round(t4 - t0, 3),
        "check_warm_s": round(t5 - t4, 3),
        "failures": float(c["failures"]),
    }
