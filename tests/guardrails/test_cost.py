"""Infracost thresholds: +10 % warns, +30 % blocks, new projects by amount, unknown costs never pass."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_constructs.errors import ConfigError
from platform_constructs.registry.loader import read_registry_text
from platform_tools.cli import main
from platform_tools.guardrails.cost import cost_thresholds, evaluate
from platform_tools.service_files.infracost_config import render_infracost_config
from support.env import FIXTURES as FIXTURES_ROOT

FIXTURES = FIXTURES_ROOT / "infracost"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def single(past: str | None, total: str | None) -> dict[str, Any]:
    """Infracost's own diff golden file with its money rewritten: one project, past → total."""
    doc = copy.deepcopy(load("infracost_testdata_diff_decrease.json"))
    diff = None if past is None or total is None else str(Decimal(total) - Decimal(past))
    project = doc["projects"][0]
    project["pastBreakdown"]["totalMonthlyCost"] = past
    project["breakdown"]["totalMonthlyCost"] = total
    project["diff"]["totalMonthlyCost"] = diff
    doc.update(pastTotalMonthlyCost=past, totalMonthlyCost=total, diffTotalMonthlyCost=diff)
    return doc


@pytest.mark.parametrize(
    ("past", "total", "status", "percent"),
    [
        ("1000", "1050", "pass", "5"),
        ("1000", "1100", "warn", "10"),
        ("1000", "1299.90", "warn", "29.99"),
        ("100", "129.99", "warn", "29.99"),  # exact decimals: a float would make this 29.98999...
        ("1000", "1300", "block", "30"),
        ("1000", "2500", "block", "150"),
        ("1000", "800", "pass", "-20"),
        ("1000", "1000", "pass", "0"),
    ],
)
def test_percentage_thresholds(past: str, total: str, status: str, percent: str) -> None:
    verdict = evaluate(single(past, total))
    assert verdict.status == status, verdict.reason
    assert verdict.percent == Decimal(percent)
    assert verdict.projects[0].status == status
    assert verdict.currency == "USD"
    assert "%" in verdict.reason and verdict.reason.count(".") >= 1


def test_real_infracost_golden_decrease_passes() -> None:
    verdict = evaluate(load("infracost_testdata_diff_decrease.json"))
    assert verdict.status == "pass"
    assert (verdict.past, verdict.total, verdict.diff) == (Decimal("2045.92"), Decimal("1303.28"), Decimal("-742.64"))
    assert verdict.percent is not None and verdict.percent.quantize(Decimal("0.01")) == Decimal("-36.30")
    assert verdict.projects[0].name == "main"


def test_small_changes_never_warn_whatever_the_percentage() -> None:
    assert evaluate(single("20", "29")).status == "pass"  # +45 %, but USD 9/month
    assert evaluate(single("20", "30")).status == "block"  # +50 % and USD 10/month: min_change reached
    assert evaluate(single("20", "29"), min_change=Decimal("0")).status == "block"


def test_new_project_is_judged_by_amount() -> None:
    doc = load("breakdown_new_project.json")
    verdict = evaluate(doc)
    assert (verdict.past, verdict.percent) == (Decimal("0"), None)
    assert verdict.status == "warn" and "new projects" in verdict.reason
    assert evaluate(single("0", "1000")).status == "block"
    assert evaluate(single("0", "999.99")).status == "warn"
    assert evaluate(single("0", "99.99")).status == "pass"
    assert evaluate(single("0", "0")).status == "pass"
    assert evaluate(doc, new_warn_amount=Decimal("500"), new_block_amount=Decimal("900")).status == "pass"


def test_unknown_costs_warn_never_pass() -> None:
    verdict = evaluate(load("diff_usage_unknown.json"))
    assert verdict.status == "warn"
    assert verdict.total is None and verdict.diff is None and verdict.percent is None
    assert "usage" in verdict.reason
    assert verdict.projects[0].status == "warn"
    past_unknown = evaluate(single(None, "1000"))
    assert past_unknown.status == "warn" and "previous monthly cost is unknown" in past_unknown.reason


def test_project_with_errors_warns() -> None:
    doc = single("1000", "1000")
    doc["projects"][0]["metadata"]["errors"] = [{"code": 101, "message": "Error loading Terraform modules"}]
    verdict = evaluate(doc)
    assert verdict.status == "warn" and "Error loading Terraform modules" in verdict.reason


def test_multi_project_worst_verdict_wins() -> None:
    verdict = evaluate(load("diff_multi_project.json"))
    assert [(p.name, p.status) for p in verdict.projects] == [
        ("fileflow-dev", "pass"),
        ("fileflow-stg", "warn"),
        ("fileflow-prod", "block"),
    ]
    assert verdict.status == "block"
    assert sum((p.total or Decimal(0) for p in verdict.projects), Decimal(0)) == verdict.total


def test_a_project_can_block_when_the_total_would_only_pass() -> None:
    doc = load("diff_multi_project.json")
    big = copy.deepcopy(doc["projects"][0])  # dev, unchanged
    for part in ("pastBreakdown", "breakdown"):
        big[part]["totalMonthlyCost"] = "5000"
    big["diff"]["totalMonthlyCost"] = "0"
    big["displayName"] = "shared"
    doc["projects"] = [big, doc["projects"][2]]  # + prod (+70 %)
    past = sum(Decimal(p["pastBreakdown"]["totalMonthlyCost"]) for p in doc["projects"])
    total = sum(Decimal(p["breakdown"]["totalMonthlyCost"]) for p in doc["projects"])
    doc.update(pastTotalMonthlyCost=str(past), totalMonthlyCost=str(total), diffTotalMonthlyCost=str(total - past))
    verdict = evaluate(doc)
    assert verdict.percent is not None and verdict.percent < 10  # the whole PR: about +5 %
    assert verdict.status == "block" and verdict.reason.startswith("Project fileflow-prod")


def test_thresholds_are_configurable_and_validated() -> None:
    doc = load("diff_multi_project.json")
    assert evaluate(doc, warn_percent=Decimal("50"), block_percent=Decimal("80")).status == "warn"
    with pytest.raises(ConfigError, match="block_percent"):
        evaluate(doc, warn_percent=Decimal("30"), block_percent=Decimal("10"))
    with pytest.raises(ConfigError, match=r"guardrails\.cost\.warn_pct: unknown key") as caught:
        cost_thresholds({"warn_pct": 5})
    assert "did you mean 'warn_percent'" in str(caught.value)
    assert cost_thresholds({"warn_percent": "12.5"}).warn_percent == Decimal("12.5")


def test_to_dict_is_json_safe_and_exact() -> None:
    data = evaluate(load("diff_multi_project.json")).to_dict()
    text = json.dumps(data)
    assert json.loads(text) == data
    assert set(data) >= {"status", "past", "total", "diff", "percent", "currency", "reason", "projects"}
    assert data["past"] == "580.47008" and data["total"] == "873.44098" and data["diff"] == "292.9709"
    assert set(data["projects"][0]) >= {"name", "past", "total", "diff", "percent"}
    assert evaluate(load("diff_usage_unknown.json")).to_dict()["total"] is None


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.pop("version"), "version"),
        (lambda d: d.update(totalMonthlyCost=1361.3075), "totalMonthlyCost"),  # a float is not Infracost output
        (lambda d: d.pop("pastTotalMonthlyCost"), "pastTotalMonthlyCost"),
        (lambda d: d.update(projects=None), "projects"),
    ],
)
def test_not_infracost_output_is_bad_input(mutate: Any, field: str) -> None:
    doc = load("breakdown_new_project.json")
    mutate(doc)
    with pytest.raises(ConfigError, match=field):
        evaluate(doc)


def test_cli_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cost", "check", str(FIXTURES / "diff_multi_project.json")]) == 3
    out = capsys.readouterr().out
    assert out.startswith("BLOCK: Monthly cost rises +50.47% (USD 580.47 → USD 873.44)")
    assert "block fileflow-prod: 387.23 → 659.57 USD/month (+70.33%)" in out
    assert main(["cost", "check", str(FIXTURES / "breakdown_new_project.json")]) == 0  # warn passes
    assert capsys.readouterr().out.startswith("WARN: ")
    assert main(["cost", "check", "--json", str(FIXTURES / "infracost_testdata_diff_decrease.json")]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "pass"
    assert main(["cost", "check", "--block-percent", "80", str(FIXTURES / "diff_multi_project.json")]) == 0
    capsys.readouterr()
    registry = tmp_path / "platform.yaml"
    data = yaml.safe_load(read_registry_text(None)[1])
    data["guardrails"]["cost"].update(warn_percent=50, block_percent=75)
    registry.write_text(yaml.safe_dump(data))
    assert main(["cost", "check", "--platform", str(registry), str(FIXTURES / "diff_multi_project.json")]) == 0
    assert main(["cost", "check", str(tmp_path / "missing.json")]) == 2
    (tmp_path / "bad.json").write_text("{not json")
    assert main(["cost", "check", str(tmp_path / "bad.json")]) == 2
    assert "is not JSON" in capsys.readouterr().err


def test_infracost_config_template(tmp_path: Path) -> None:
    from platform_constructs.registry import load_registry

    registry = load_registry(None)
    data = yaml.safe_load(render_infracost_config(registry, "fileflow"))
    assert data["version"] == 0.1
    assert data["projects"] == [
        {
            "path": f"infra/environments/{env}",
            "name": f"fileflow-{env}",
            "usage_file": f"infra/environments/{env}/infracost-usage.yml",
        }
        for env in registry.environments
    ]
    with pytest.raises(ConfigError, match=r"is not registered in platform\.yaml"):
        render_infracost_config(registry, "nope")
    out = tmp_path / "infracost.yml"
    assert main(["cost", "config", "authhub", "--out", str(out)]) == 0
    assert yaml.safe_load(out.read_text())["projects"][0]["name"] == "authhub-dev"
