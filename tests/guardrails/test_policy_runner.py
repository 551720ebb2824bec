"""The Python side of the Rego guardrails: the view it builds gives the policies' own results on every engine,
big plans are split (and pipelined) without changing them, the output is conftest's, the CLI exit codes hold,
and the engine seam holds: one adapter per engine, chosen in one place."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, ClassVar

import pytest

from platform_constructs.errors import ConfigError
from platform_tools.cli import main
from platform_tools.cli.policy import ENGINE_NAMES, generate_taggable
from platform_tools.guardrails.policy import engines, pipeline, runner, table, view
from platform_tools.guardrails.policy import synthetic as synthetic_plans
from platform_tools.guardrails.policy.data import NAME_ATTRIBUTES, TAGGABLE_FILE
from platform_tools.guardrails.policy.engines.regorus_adapter import RegorusEngine
from platform_tools.guardrails.policy.parallel import WorkerError, fork_map
from platform_tools.resources import policy_dir
from support.env import REPO
from support.imports import imports, sources
from support.policy import ENGINES, check_everywhere, findings


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return runner.default_data()


@pytest.fixture(scope="module")
def synthetic() -> dict[str, Any]:
    return synthetic_plans.synthetic_plan(500)


def test_every_engine_and_both_input_shapes_give_the_same_results(
    synthetic: dict[str, Any], data: dict[str, Any]
) -> None:
    fast = check_everywhere(synthetic, data=data)
    # the synthetic plan's planted violations: an open 443 on a non-ALB group, a bad role name
    assert (
        "failures",
        "security_groups.open_ingress",
        "module.svc0.aws_vpc_security_group_ingress_rule.r1",
    ) in findings(fast)
    assert ("failures", "naming.pattern", "module.svc20.aws_iam_role.r404") in findings(fast)


@pytest.mark.parametrize("engine", ENGINES)
def test_python_view_equals_the_rego_view(synthetic: dict[str, Any], engine: str) -> None:
    """Field by field: lib.rego's context of the raw plan, projected, is the runner's view."""
    rego_ctx = engines.select(engine).query(engines.policy_files(), "data.lib.input_context", doc=synthetic)
    mine = view.view(synthetic)
    tag_sets = {json.dumps(v, sort_keys=True) for v in mine["tag_sets"].values()}
    assert tag_sets == {json.dumps(v, sort_keys=True) for v in rego_ctx["tag_sets"].values()}
    assert set(mine["by_type"]) == set(rego_ctx["by_type"])
    for rtype, resources in rego_ctx["by_type"].items():
        for theirs, ours in zip(resources, mine["by_type"][rtype], strict=True):
            assert ours["tag_set"] in mine["tag_sets"]
            assert mine["tag_sets"][ours["tag_set"]] == theirs["tag_view"]
            for key in ("address", "type", "config_key", "module", "refs", "configured", "has_tags_all"):
                assert ours[key] == theirs[key], (rtype, key)
            assert ours["values"] == {k: v for k, v in theirs["values"].items() if k in view.PROJECTED_ATTRIBUTES}
    assert set(mine["config"]) == set(rego_ctx["config"]) == {"modules", "providers", "code"}
    for part in ("modules", "providers", "code"):
        as_text = [json.dumps(item, sort_keys=True) for item in mine["config"][part]]
        assert sorted(as_text) == sorted(json.dumps(item, sort_keys=True) for item in rego_ctx["config"][part])
        assert len(set(as_text)) == len(as_text), part  # the view lists each fact once, as the policy's set does
    assert len(mine["config"]["modules"]) > 10  # the synthetic plan's module calls


def test_projection_covers_every_attribute_the_policies_read() -> None:
    read: set[str] = set()
    for f in engines.policy_files():
        text = f.read_text()
        read |= set(re.findall(r"r\.(?:values|unknown)\.([a-z_0-9]+)", text))
        read |= set(re.findall(r'lib\.known\(r, "([a-z_0-9]+)"\)', text))
        read |= set(re.findall(r'object\.get\(r\.values, "([a-z_0-9]+)"', text))
        read |= set(re.findall(r'"attribute": "([a-z_0-9]+)"', text))  # public_resources.unknown_attributes
        assert not re.search(r"r\.values\[(?!attr\]|s\])", text), f"{f.name}: an attribute read the test cannot see"
    read |= {spec["attribute"] for spec in NAME_ATTRIBUTES.values()}
    read |= {"block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"}  # r.values[s]
    assert read - {"tags", "tags_all"} <= view.PROJECTED_ATTRIBUTES, read - view.PROJECTED_ATTRIBUTES
    assert len(read) > 20


@pytest.mark.parametrize("engine", ENGINES)
def test_chunks_keep_results_and_linked_resources_together(data: dict[str, Any], engine: str) -> None:
    plan = synthetic_plans.synthetic_plan(1500)
    context = view.view(plan)
    pieces = view.chunks(context, size=200)
    assert len(pieces) > 5
    for piece in pieces:
        groups = {r["config_key"] for r in piece["by_type"].get("aws_security_group", [])}
        for rule in piece["by_type"].get("aws_vpc_security_group_ingress_rule", []):
            assert set(rule["refs"]["security_group_id"]) <= groups
    rego = engines.select(engine)

    def judge(doc: dict[str, Any]) -> Any:
        return rego.evaluate({"platform_view": doc}, data, policy_dir())

    whole = runner.merge_results([judge(context)], "plan.json")
    split = runner.merge_results([judge(p) for p in pieces], "plan.json")
    halves = runner.merge_results([judge(view.view(h)) for h in view.split_plan(plan, 2, (0.6, 0.4))], "plan.json")
    assert whole == split == halves
    assert table.counts(whole)["failures"] > 0


def test_output_is_conftest_json(synthetic: dict[str, Any], data: dict[str, Any]) -> None:
    results = runner.check_plan(synthetic, data=data, filename="plan.json")
    assert [r["namespace"] for r in results] == list(engines.NAMESPACES)
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
        "service": "fileflow",
        "rule": "naming.pattern",
        "address": "module.svc20.aws_iam_role.*",
        "reason": "legacy role",
        "approver": "platform-team@acme.example",
        "ticket": "PLAT-7",
        "approved": "2026-12-01",
        "expires": "2027-11-30",
    }
    run = {**data["guardrails"], "service": "fileflow", "today": "2026-12-05"}
    cfg = {"guardrails": {**run, "exceptions": [entry]}}
    naming = next(r for r in check_everywhere(synthetic, data=cfg) if r["namespace"] == "naming")
    assert naming["failures"] == []
    assert [e["metadata"]["exception"] for e in naming["exceptions"]] == ["EXC-0007"]
    expired = {"guardrails": {**run, "exceptions": [{**entry, "approved": "2019-06-01", "expires": "2020-01-01"}]}}
    results = check_everywhere(synthetic, data=expired)
    assert ("failures", "exceptions.expired", "exceptions[0] (EXC-0007)") in findings(results)
    assert ("failures", "naming.pattern", "module.svc20.aws_iam_role.r404") in findings(results)


def test_addresses_and_values_with_quotes_and_control_characters_survive_the_engine(data: dict[str, Any]) -> None:
    """rego-cpp does not escape strings in its answer: for_each keys (``["a"]``), backslashes and newlines
    must still come back intact on every engine, and an exception pattern with quotes must still match."""
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
    results = check_everywhere(plan, data=data)
    addresses = {r["metadata"]["address"] for report in results for r in report["failures"]}
    assert addresses == {address}
    assert any("Bad\nName" in r["msg"] for report in results for r in report["failures"])
    entry = {
        "id": "EXC-0009",
        "service": "fileflow",
        "rule": "naming.pattern",
        "address": 'module.app.aws_s3_bucket.this?"logs *',  # glob: `?` for the `[` (a class opener)
        "reason": "legacy bucket",
        "approver": "platform-team@acme.example",
        "ticket": "PLAT-9",
        "approved": "2026-12-01",
        "expires": "2027-11-30",
    }
    cfg = {"guardrails": {**data["guardrails"], "service": "fileflow", "today": "2026-12-05", "exceptions": [entry]}}
    naming = next(r for r in check_everywhere(plan, data=cfg) if r["namespace"] == "naming")
    assert naming["failures"] == [] and len(naming["exceptions"]) == 1


@pytest.mark.parametrize("engine", ENGINES)
def test_missing_data_is_a_failure(engine: str) -> None:
    out = engines.select(engine).evaluate({"resource_changes": []}, {}, policy_dir())
    assert [r["rule"] for r in out["exceptions"]["deny"]] == ["exceptions.data_missing"]


@pytest.mark.parametrize("engine", ENGINES)
def test_bench_reports_where_the_time_goes(engine: str, tmp_path: Path) -> None:
    result = synthetic_plans.bench(300, engine, workdir=tmp_path)
    assert {"json_load_s", "view_s", "engine_s", "merge_s", "check_s", "check_warm_s"} <= set(result)
    assert result["resources"] == 300 and result["check_s"] > 0 and result["failures"] > 0


def test_cli_check_exit_codes(tmp_path: Path, synthetic: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text(json.dumps(synthetic))
    assert main(["policy", "check", str(bad), "--format", "json"]) == 3
    parsed = json.loads(capsys.readouterr().out)
    assert {r["namespace"] for r in parsed} == set(engines.NAMESPACES)
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


# -- the engine seam --------------------------------------------------------------------------------------------
def test_the_engine_is_chosen_in_one_place(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(engines.ENV_VAR, raising=False)
    assert engines.select().name == engines.DEFAULT == "regorus"
    monkeypatch.setenv(engines.ENV_VAR, "regopy")
    assert engines.select().name == "regopy"
    assert engines.select("regorus").name == "regorus"  # the flag wins
    monkeypatch.setenv(engines.ENV_VAR, "opa")
    with pytest.raises(ConfigError) as caught:
        engines.select()
    assert engines.ENV_VAR in str(caught.value) and "regorus, regopy" in str(caught.value)
    assert tuple(engines.ADAPTERS) == ENGINE_NAMES  # the CLI's choices, kept without importing the engines


def test_a_wrong_engine_setting_is_exit_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean = tmp_path / "clean.json"
    clean.write_text(json.dumps({"format_version": "1.2", "resource_changes": []}))
    monkeypatch.setenv(engines.ENV_VAR, "opa")
    assert main(["policy", "check", str(clean)]) == 2
    assert main(["policy", "check", str(clean), "--engine", "regopy"]) == 0


def test_only_the_adapters_name_an_engine() -> None:
    """Nothing outside guardrails/policy/engines/ imports an engine package: one adapter per engine."""
    tools = REPO / "tools" / "platform_tools"
    offenders = []
    for path in sources(tools):
        if "engines" in path.relative_to(tools).parts:
            continue
        for line, target in imports(path):
            if target.split(".")[0] in {"regopy", "regorus"}:
                offenders.append(f"{path.relative_to(REPO)}:{line}: {target}")
    assert offenders == []


# -- parallel evaluation ----------------------------------------------------------------------------------------
def zombies() -> list[str]:
    """Children of this process that exited and were never waited for (Linux /proc)."""
    pids = [
        child
        for task in Path(f"/proc/{os.getpid()}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]
    return [p for p in pids if Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"]


def test_fork_map_keeps_order_and_reports_a_failing_worker() -> None:
    assert fork_map(lambda x: x * x, list(range(7)), 3) == [x * x for x in range(7)]

    def boom(x: int) -> int:
        if x in (3, 4):  # with two workers: 3 is the forked worker's, 4 this process's
            raise ValueError(f"item {x}")
        return x

    with pytest.raises(WorkerError, match="item 3"):
        fork_map(lambda x: boom(x) if x != 4 else x, list(range(6)), 2)
    with pytest.raises(ValueError, match="item 4"):  # this process's own error, the worker still reaped
        fork_map(boom, list(range(6)), 2)
    assert zombies() == []  # no worker left unreaped


@pytest.fixture
def big_plan(tmp_path: Path, synthetic: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A plan file the CLI checks with a worker (the size threshold lowered, so the test stays small)."""
    monkeypatch.setattr(pipeline, "PIPELINE_BYTES", 1000)
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(synthetic))
    assert pipeline.pipelined(path)
    return path


@pytest.mark.parametrize("engine", ENGINES)
def test_the_pipelined_check_equals_the_plain_one(big_plan: Path, data: dict[str, Any], engine: str) -> None:
    plain = runner.check_plan(json.loads(big_plan.read_text()), data=data, filename=str(big_plan), engine=engine)
    assert runner.check_path(big_plan, data=lambda: data, engine=engine) == plain


class _SmallPieces(RegorusEngine):
    """regorus told to take small pieces (as regopy does), counting the resources of each input it is given here."""

    chunk_size: ClassVar[int | None] = 100

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def evaluate_json(self, text: str, data: dict[str, Any], policy_dir: Path) -> engines.Results:
        self.sizes.append(sum(len(rs) for rs in json.loads(text)["platform_view"]["by_type"].values()))
        return super().evaluate_json(text, data, policy_dir)


def test_the_pipeline_gives_the_engine_pieces_of_its_own_size(big_plan: Path, data: dict[str, Any]) -> None:
    """An engine whose cost grows faster than linearly gets the same pieces on the pipelined path as on the plain
    one, not each half whole."""
    small = _SmallPieces()
    whole = view.view(json.loads(big_plan.read_text()))
    expected = runner.check_plan(json.loads(big_plan.read_text()), data=data, filename=str(big_plan), engine=small)
    assert small.sizes == []  # the plain path evaluates dict pieces
    assert runner.check_path(big_plan, data=lambda: data, engine=small) == expected
    total = sum(len(rs) for rs in whole["by_type"].values())
    assert len(small.sizes) >= 3, small.sizes  # this process's ~60% in pieces of about 100
    assert max(small.sizes) < total / 3, small.sizes


def test_the_pipeline_keeps_the_meaning_of_errors(big_plan: Path, data: dict[str, Any], tmp_path: Path) -> None:
    def bad_registry() -> dict[str, Any]:
        raise ConfigError("platform.yaml", [])

    with pytest.raises(ConfigError, match=r"platform\.yaml"):
        runner.check_path(big_plan, data=bad_registry)
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps([{"x": "y" * 2000}]))
    with pytest.raises(ConfigError, match="neither a plan"):
        runner.check_path(listing, data=lambda: data)
    junk = tmp_path / "junk.json"
    junk.write_text("{" * 3000)
    with pytest.raises(ConfigError, match="not JSON"):
        runner.check_path(junk, data=lambda: data)
    broken = tmp_path / "policy"
    broken.mkdir()
    (broken / "bad.rego").write_text("package tags\n\ndeny contains x if {\n")
    with pytest.raises((WorkerError, engines.PolicyEngineError)):
        runner.check_path(big_plan, data=lambda: data, engine="regorus", policy_dir=broken)
    assert zombies() == []
