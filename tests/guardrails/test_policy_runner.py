"""The Python side of the Rego guardrails: the view it builds gives the policies' own results, big plans
are split without changing them, the output is conftest's, and the CLI exit codes hold."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from platform_tools.cli import main
from platform_tools.cli.policy import generate_taggable
from platform_tools.guardrails.policy import engine, runner, table, view
from platform_tools.guardrails.policy import synthetic as synthetic_plans
from platform_tools.guardrails.policy.data import NAME_ATTRIBUTES, TAGGABLE_FILE
from platform_tools.resources import policy_dir
from support.policy import findings


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return runner.default_data()


@pytest.fixture(scope="module")
def synthetic() -> dict[str, Any]:
    return synthetic_plans.synthetic_plan(500)


def test_view_and_raw_document_give_the_same_results(synthetic: dict[str, Any], data: dict[str, Any]) -> None:
    fast = runner.check_plan(synthetic, data=data)
    raw = runner.check_plan(synthetic, data=data, fast=False)
    assert fast == raw
    # the synthetic plan's planted violations: an open 443 on a non-ALB group, a bad role name
    assert (
        "failures",
        "security_groups.open_ingress",
        "module.svc0.aws_vpc_security_group_ingress_rule.r1",
    ) in findings(fast)
    assert ("failures", "naming.pattern", "module.svc20.aws_iam_role.r404") in findings(fast)


def test_python_view_equals_the_rego_view(synthetic: dict[str, Any], data: dict[str, Any]) -> None:
    """Field by field: lib.rego's context of the raw plan, projected, is the runner's view."""
    from regopy import Input, Interpreter

    rego = Interpreter()
    for f in engine.policy_files():
        rego.add_module(f.name, f.read_text())
    rego.set_input(Input(synthetic))
    rego_ctx = json.loads(str(rego.query("x = data.lib.input_context")))["bindings"]["x"]
    mine = view.view(synthetic)
    tag_sets = {json.dumps(v, sort_keys=True) for v in mine["tag_sets"].values()}
    assert tag_sets == {json.dumps(v, sort_keys=True) for v in rego_ctx["tag_sets"].values()}
    assert set(mine["by_type"]) == set(rego_ctx["by_type"])
    for rtype, resources in rego_ctx["by_type"].items():
        for theirs, ours in zip(resources, mine["by_type"][rtype], strict=True):
            assert ours["tag_set"] in mine["tag_sets"]
            assert mine["tag_sets"][ours["tag_set"]] == theirs["tag_view"]
            for key in ("address", "type", "config_key", "module", "refs", "has_tags_all"):
                assert ours[key] == theirs[key], (rtype, key)
            assert ours["values"] == {k: v for k, v in theirs["values"].items() if k in view.PROJECTED_ATTRIBUTES}


def test_projection_covers_every_attribute_the_policies_read() -> None:
    read: set[str] = set()
    for f in engine.policy_files():
        text = f.read_text()
        read |= set(re.findall(r"r\.(?:values|unknown)\.([a-z_0-9]+)", text))
        read |= set(re.findall(r'lib\.known\(r, "([a-z_0-9]+)"\)', text))
        read |= set(re.findall(r'object\.get\(r\.values, "([a-z_0-9]+)"', text))
        assert not re.search(r"r\.values\[(?!attr\]|s\])", text), f"{f.name}: an attribute read the test cannot see"
    read |= {spec["attribute"] for spec in NAME_ATTRIBUTES.values()}
    read |= {"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"}  # r.values[s]
    assert read - {"tags", "tags_all"} <= view.PROJECTED_ATTRIBUTES, read - view.PROJECTED_ATTRIBUTES
    assert len(read) > 20


def test_chunks_keep_results_and_linked_resources_together(data: dict[str, Any]) -> None:
    plan = synthetic_plans.synthetic_plan(1500)
    context = view.view(plan)
    pieces = view.chunks(context, size=200)
    assert len(pieces) > 5
    for piece in pieces:
        groups = {r["config_key"] for r in piece["by_type"].get("aws_security_group", [])}
        for rule in piece["by_type"].get("aws_vpc_security_group_ingress_rule", []):
            assert set(rule["refs"]["security_group_id"]) <= groups
    whole = runner._merge([runner._evaluate_view(context, data, policy_dir())], "plan.json")
    split = runner._merge([runner._evaluate_view(p, data, policy_dir()) for p in pieces], "plan.json")
    assert whole == split
    assert table.counts(whole)["failures"] > 0


def test_output_is_conftest_json(synthetic: dict[str, Any], data: dict[str, Any]) -> None:
    results = runner.check_plan(synthetic, data=data, filename="plan.json")
    assert [r["namespace"] for r in results] == list(engine.NAMESPACES)
    for entry in results:
        assert set(entry) == {"filename", "namespace", "successes", "failures", "warnings", "exceptions"}
        assert entry["filename"] == "plan.json"
        for res in entry["failures"] + entry["warnings"] + entry["exceptions"]:
            assert set(res) == {"msg", "metadata"}
            meta = res["metadata"]
            assert {"rule", "address", "fix", "severity"} <= set(meta)
            assert meta["severity"] in {"HIGH", "MEDIUM", "LOW"}
            assert meta["rule"] in res["msg"] and meta["address"] in res["msg"] and meta["fix"] in res["msg"]
    sg = next(r for r in results if r["namespace"] == "security_groups")
    assert sg["successes"] == 1 and sg["failures"]  # deny fired, warn did not


def test_table_is_readable(synthetic: dict[str, Any], data: dict[str, Any]) -> None:
    text = table.table(runner.check_plan(synthetic, data=data))
    lines = text.splitlines()
    assert lines[0].split() == ["RESULT", "SEVERITY", "RULE", "ADDRESS", "FIX"]
    assert lines[1].startswith("FAIL") and "security_groups.open_ingress" in text
    assert re.fullmatch(r"\d+ tests, \d+ passed, 0 warnings, \d+ failures, 0 exceptions", lines[-1])


def test_excepted_findings_are_reported_as_exceptions(synthetic: dict[str, Any], data: dict[str, Any]) -> None:
    entry = {
        "id": "EXC-0007",
        "rule": "naming.pattern",
        "address": "module.svc20.aws_iam_role.*",
        "reason": "legacy role",
        "approver": "platform-team@acme.example",
        "ticket": "PLAT-7",
        "expires": "2999-12-31",
    }
    cfg = {"guardrails": {**data["guardrails"], "exceptions": [entry]}}
    naming = next(r for r in runner.check_plan(synthetic, data=cfg) if r["namespace"] == "naming")
    assert naming["failures"] == []
    assert [e["metadata"]["exception"] for e in naming["exceptions"]] == ["EXC-0007"]
    expired = {"guardrails": {**data["guardrails"], "exceptions": [{**entry, "expires": "2020-01-01"}]}}
    results = runner.check_plan(synthetic, data=expired)
    assert ("failures", "exceptions.expired", "exceptions[0] (EXC-0007)") in findings(results)
    assert ("failures", "naming.pattern", "module.svc20.aws_iam_role.r404") in findings(results)


@pytest.mark.parametrize("fast", [True, False])
def test_addresses_and_values_with_quotes_and_control_characters_survive_the_engine(
    data: dict[str, Any], fast: bool
) -> None:
    """rego-cpp does not escape strings in its answer: for_each keys (``["a"]``), backslashes and newlines
    must still come back intact, and an exception pattern with quotes must still match."""
    address = 'module.app.aws_s3_bucket.this["logs \\ "x""]'
    plan = {
        "resource_changes": [
            {
                "address": address,
                "module_address": "module.app",
                "mode": "managed",
                "type": "aws_s3_bucket",
                "name": "this",
                "index": 'logs \\ "x"',
                "change": {
                    "actions": ["create"],
                    "after": {"bucket": "Bad\nName", "tags_all": {"Environment": "dev\n"}},
                    "after_unknown": {},
                },
            }
        ]
    }
    results = runner.check_plan(plan, data=data, fast=fast)
    addresses = {r["metadata"]["address"] for report in results for r in report["failures"]}
    assert addresses == {address}
    assert any("Bad\nName" in r["msg"] for report in results for r in report["failures"])
    entry = {
        "id": "EXC-0009",
        "rule": "naming.pattern",
        "address": 'module.app.aws_s3_bucket.this?"logs *',  # glob: `?` for the `[` (a class opener)
        "reason": "legacy bucket",
        "approver": "platform-team@acme.example",
        "ticket": "PLAT-9",
        "expires": "2999-12-31",
    }
    cfg = {"guardrails": {**data["guardrails"], "exceptions": [entry]}}
    naming = next(r for r in runner.check_plan(plan, data=cfg, fast=fast) if r["namespace"] == "naming")
    assert naming["failures"] == [] and len(naming["exceptions"]) == 1


def test_missing_data_is_a_failure() -> None:
    out = engine.evaluate({"resource_changes": []}, {}, policy_dir())
    assert [r["rule"] for r in out["exceptions"]["deny"]] == ["exceptions.data_missing"]


def test_bench_reports_timings() -> None:
    result = synthetic_plans.bench(300)
    assert set(result) == {"policy_resources", "policy_check_s", "policy_check_warm_s", "policy_failures"}
    assert result["policy_resources"] == 300 and result["policy_check_s"] > 0


def test_cli_check_exit_codes(tmp_path: Path, synthetic: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps(synthetic))
    assert main(["policy", "check", str(bad), "--format", "json"]) == 3
    parsed = json.loads(capsys.readouterr().out)
    assert {r["namespace"] for r in parsed} == set(engine.NAMESPACES)
    clean = tmp_path / "clean.json"
    clean.write_text(json.dumps({"format_version": "1.2", "resource_changes": []}))
    assert main(["policy", "check", str(clean)]) == 0
    assert "0 failures" in capsys.readouterr().out
    assert main(["policy", "check", str(tmp_path / "missing.json")]) == 2
    (tmp_path / "junk.json").write_text("{not json")
    assert main(["policy", "check", str(tmp_path / "junk.json")]) == 2
    assert main(["policy", "check", str(clean), "--service", "ghost"]) == 2


def test_cli_data_and_test(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "data", "--service", "fileflow"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["guardrails"]["environments"] == ["dev", "stg", "prod"]
    assert "fileflow" in doc["guardrails"]["services"]
    assert main(["policy", "test"]) == 0
    assert re.search(r"^\d+ tests, (\d+) passed, 0 failed$", capsys.readouterr().out, re.M)


@pytest.mark.terraform
def test_taggable_table_matches_the_provider_schema(tf_cli_config: Path) -> None:
    from platform_constructs.hcl.schema import load_shapes

    committed = json.loads((policy_dir() / TAGGABLE_FILE).read_text())
    assert generate_taggable(load_shapes(cli_config=tf_cli_config).resources) == committed
    assert {"aws_s3_bucket", "aws_security_group"} <= set(committed["types"])
    assert "aws_s3_bucket_public_access_block" not in committed["types"]
