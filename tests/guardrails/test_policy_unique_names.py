"""unique_names.rego on real plans and against a PR author who tries to get around it.

Two module instances that take the same names plan cleanly, each on its own, and the second fails at apply: the
policy compares names across the whole plan (policy/README.md). The plan here holds two ``ecs_service`` instances
for one service (the catalog module as service repos pin it), IAM roles differing only in case, and what must not
be a finding (name_prefix, names known only after apply, a group name in two VPCs, log group names differing in
case); the Rego unit tests (policy/unique_names_test.rego) hold the rest.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from platform_constructs.errors import ConfigError
from platform_constructs.registry import load_registry
from platform_constructs.registry.loader import default_registry_path
from platform_constructs.tf import Terraform
from platform_tools.guardrails.policy import data as policy_data
from platform_tools.guardrails.policy import view
from platform_tools.guardrails.policy.engines import select
from platform_tools.guardrails.policy.runner import check_plan, default_data, merge_results
from support.catalog import CATALOG
from support.env import FIXTURES
from support.policy import ENGINES, check_everywhere, findings

RULE = "unique_names.duplicate"
#: the second instance's resources whose names the first instance already takes (module.api_again sorts after
#: module.api, so the finding is on it and names module.api's address)
SECOND = "module.api_again"
#: the second instance's ECS service (count-indexed in the module)
ECS_SERVICE = f"{SECOND}.aws_ecs_service.this[0]"
#: the other findings of the fixture: the upper-case role breaks the naming pattern too
OTHER_FINDINGS = {
    ("failures", RULE, "aws_iam_role.worker_upper"),
    ("failures", "naming.pattern", "aws_iam_role.worker_upper"),
}


@pytest.fixture(scope="module")
def plan(tf_cli_config: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """``terraform show -json`` of tests/fixtures/policy/duplicates with the catalog's ecs_service (one plan)."""
    work = tmp_path_factory.mktemp("policy-duplicates")
    shutil.copytree(FIXTURES / "policy" / "duplicates", work, dirs_exist_ok=True)
    shutil.copytree(
        CATALOG / "ecs_service", work / "modules" / "ecs_service", ignore=shutil.ignore_patterns("examples")
    )
    tf = Terraform(work, cli_config=tf_cli_config, data_dir=work / ".tfdata")
    tf.init()
    tf.plan("-input=false", out=str(work / "plan.bin"))
    return tf.show_json(str(work / "plan.bin"))


def _named_in_first_instance(plan: dict[str, Any]) -> set[str]:
    """Addresses in module.api of every resource whose name AWS keeps unique and the plan knows."""
    spaces = policy_data.name_namespaces()
    out = set()
    for rc in plan["resource_changes"]:
        spec = spaces.get(rc["type"])
        if spec and rc.get("module_address") == "module.api" and isinstance(rc["change"]["after"].get("name"), str):
            out.add(rc["address"])
    return out


@pytest.mark.terraform
def test_two_instances_of_one_service_collide_on_every_name(plan: dict[str, Any]) -> None:
    first = _named_in_first_instance(plan)
    # the collisions the task names: ECS service, log group, IAM roles, security group
    assert {a.split(".")[2] for a in first} >= {
        "aws_ecs_service",
        "aws_cloudwatch_log_group",
        "aws_iam_role",
        "aws_security_group",
    }
    expected = {("failures", RULE, a.replace("module.api.", f"{SECOND}.", 1)) for a in first}
    results = check_everywhere(plan)
    assert findings(results) == expected | OTHER_FINDINGS
    messages = [r["msg"] for entry in results for r in entry["failures"] if r["metadata"]["rule"] == RULE]
    assert any(
        m.startswith(ECS_SERVICE + ":") and "also planned for module.api.aws_ecs_service.this[0]" in m for m in messages
    ), messages
    assert any('as "dev-fileflow-worker" (the same name: AWS ignores letter case here)' in m for m in messages)


@pytest.mark.terraform
@pytest.mark.parametrize("engine", ENGINES)
def test_cli_blocks_the_plan(
    plan: dict[str, Any], engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`infra policy check`, as the service PR workflow runs it, exits 3 on the duplicates."""
    from platform_tools.cli import main

    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    assert main(["policy", "check", str(path), "--format", "json", "--engine", engine, "--service", "fileflow"]) == 3
    out = json.loads(capsys.readouterr().out)
    assert ("failures", RULE, ECS_SERVICE) in findings(out)


@pytest.mark.terraform
def test_a_service_cannot_waive_it_from_its_own_repository(
    plan: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An exceptions.yaml in the service repository (the PR's own files, the check's working directory) is not
    the platform's register: the check reads the register shipped with the platform package."""
    from platform_tools.cli import main

    (tmp_path / "policy").mkdir()
    entry = _entry(f"{SECOND}.aws_ecs_service.*")
    for where in (tmp_path / "exceptions.yaml", tmp_path / "policy" / "exceptions.yaml"):
        where.write_text(json.dumps({"exceptions": [entry]}))
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    monkeypatch.chdir(tmp_path)
    assert main(["policy", "check", str(path), "--format", "json", "--service", "fileflow"]) == 3
    out = json.loads(capsys.readouterr().out)
    assert ("failures", RULE, ECS_SERVICE) in findings(out)
    assert not [r for e in out for r in e["exceptions"]]


def _entry(address: str) -> dict[str, Any]:
    today = dt.datetime.now(dt.UTC).date()
    return {
        "id": "EXC-0999",
        "service": "fileflow",
        "rule": RULE,
        "address": address,
        "reason": "the worker is a copy of the api, renaming later",
        "approver": "platform-team@acme.example",
        "ticket": "PLAT-1",
        "approved": today.isoformat(),
        "expires": (today + dt.timedelta(days=30)).isoformat(),
    }


def test_the_register_refuses_an_exception_for_it(tmp_path: Path) -> None:
    """Even the platform's own register cannot hold one: the second resource fails at apply whatever is approved."""
    register = tmp_path / "exceptions.yaml"
    register.write_text(json.dumps({"exceptions": [_entry("module.api_again.*")]}))
    with pytest.raises(ConfigError) as err:
        policy_data.load_exceptions(load_registry(default_registry_path()), "fileflow", path=register)
    text = str(err.value)
    assert "exceptions[0] (EXC-0999).rule" in text and "cannot be excepted" in text and "rename one" in text


@pytest.mark.terraform
@pytest.mark.parametrize("engine", ENGINES)
def test_an_exception_in_hand_built_data_does_not_waive_it(plan: dict[str, Any], engine: str) -> None:
    """conftest with a data document built by other means: the policy applies no exception to this rule."""
    cfg = default_data()
    cfg["guardrails"]["service"] = "fileflow"  # the run's own service: its exceptions would apply to any other rule
    cfg["guardrails"]["exceptions"] = [
        _entry(f"{SECOND}.aws_ecs_service.*"),
        {**_entry("aws_iam_role.worker_upper"), "id": "EXC-0998", "rule": "naming.pattern"},
    ]
    for fast in (True, False):
        results = check_plan(plan, data=cfg, engine=select(engine), fast=fast)
        assert ("failures", RULE, ECS_SERVICE) in findings(results)
        assert not [f for f in findings(results) if f[0] == "exceptions" and f[1] == RULE]
        # the same entry for another rule does apply: the data reached the policies
        assert ("exceptions", "naming.pattern", "aws_iam_role.worker_upper") in findings(results)


def _roles(n: int) -> dict[str, Any]:
    """A plan of ``n`` IAM roles (and as many queues), the first and the last sharing a name."""
    changes = []
    for i in range(n):
        name = "dev-fileflow-dup" if i in (0, n - 1) else f"dev-fileflow-r{i}"
        for rtype in ("aws_iam_role", "aws_sqs_queue"):
            after = {"name": name if rtype == "aws_iam_role" else f"dev-fileflow-q{i}", "tags": {}, "tags_all": {}}
            changes.append(
                {
                    "address": f"module.m{i}.{rtype}.this",
                    "module_address": f"module.m{i}",
                    "mode": "managed",
                    "type": rtype,
                    "name": "this",
                    "change": {"actions": ["create"], "after": after, "after_unknown": {}},
                }
            )
    return {"format_version": "1.2", "resource_changes": changes, "configuration": {"root_module": {}}}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_duplicate_split_over_pieces_is_found_once(engine: str) -> None:
    """The runner cuts big plans in pieces (view.chunks, and view.split_plan for the two processes of a big file):
    the two roles land in different pieces, and the duplicate is still found, exactly once."""
    plan = _roles(120)
    cfg = default_data()
    rego = select(engine)
    context = view.view(plan)
    pieces = view.chunks(context, size=50)
    assert len(pieces) > 3
    where = {
        r["address"]: n for n, p in enumerate(pieces) for r in p["by_type"].get("aws_iam_role", []) if r["address"]
    }
    assert where["module.m0.aws_iam_role.this"] != where["module.m119.aws_iam_role.this"], "not split: proves nothing"
    judge = [rego.evaluate({"platform_view": p}, cfg, policy_data.policy_dir()) for p in pieces]
    halves = view.split_plan(plan, 2, (0.6, 0.4))
    assert all(len(h["resource_changes"]) < len(plan["resource_changes"]) for h in halves)
    split = [
        rego.evaluate({"platform_view": view.view(h, named_from=plan if i == 0 else {})}, cfg, policy_data.policy_dir())
        for i, h in enumerate(halves)
    ]
    expected = {("failures", RULE, "module.m119.aws_iam_role.this")}
    for parts in (judge, split):
        results = merge_results(parts, "plan.json")
        assert {f for f in findings(results) if f[1] == RULE} == expected
        (entry,) = [e for e in results if e["namespace"] == "unique_names"]
        assert len(entry["failures"]) == 1


def test_the_view_and_the_data_name_the_same_types() -> None:
    """view.NAMED_TYPES (which resources the first piece carries whole) and the data's namespaces are one list."""
    assert set(policy_data.NAME_NAMESPACES) == view.NAMED_TYPES
    spaces = policy_data.name_namespaces()
    assert set(policy_data.NAME_ATTRIBUTES) <= set(spaces)
    for spec in spaces.values():
        for attr in (spec["attribute"], spec["scope_attribute"]):
            assert not attr or attr in view.NAMED_ATTRIBUTES <= view.PROJECTED_ATTRIBUTES, attr


def test_a_big_file_checked_in_two_processes_finds_the_duplicate_once(tmp_path: Path) -> None:
    """`infra policy check` of a big plan file forks a worker that builds one half's view (pipeline.py): the first
    half carries the named resources of the whole plan, so the two roles, which land in different halves, meet."""
    from platform_tools.guardrails.policy.pipeline import pipelined
    from platform_tools.guardrails.policy.runner import check_path

    plan = _roles(5000)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    assert pipelined(path)
    halves = view.split_plan(plan, 2, (0.6, 0.4))
    holder = [
        n
        for n, h in enumerate(halves)
        for rc in h["resource_changes"]
        if rc["address"] in ("module.m0.aws_iam_role.this", "module.m4999.aws_iam_role.this")
    ]
    assert len(set(holder)) == 2, "both roles in one half: proves nothing"
    results = check_path(path, engine="regorus")
    assert {f for f in findings(results) if f[1] == RULE} == {("failures", RULE, "module.m4999.aws_iam_role.this")}
