"""The combined PR comment on real tool outputs: what it says, and the exit code that blocks the merge.

checkov runs for real (from .venv-checkov, with the platform's .checkov.yaml) and the policies run for real
on a real plan: the service fixture is planned offline by Terraform with the very override file the workflow
writes, so the test also proves that the workflow's credential-free plan works. trivy and Infracost outputs
are fixtures in their real formats (tests/fixtures/report/README.md says where the shapes come from).
Regenerate the golden comment with ``UPDATE_GOLDEN=1 pytest tests/test_report.py``.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_constructs.tf import Terraform
from platform_tools.guardrails.override import Override
from platform_tools.guardrails.report.assemble import Inputs, build_report
from platform_tools.guardrails.report.markdown import MARKER, cell, render_markdown
from platform_tools.guardrails.report.readers import checkov_result, policy_result
from support.env import REPO

FIXTURES = REPO / "tests" / "fixtures"
SERVICE = FIXTURES / "report" / "service"
GOLDEN = FIXTURES / "report" / "golden_comment.md"
TRIVY = FIXTURES / "trivy" / "config_service.json"
TRIVY_CLEAN = FIXTURES / "trivy" / "config_clean.json"
INFRACOST = FIXTURES / "report" / "infracost_diff.json"
WORKFLOW = REPO / ".github" / "workflows" / "infra-checks.yml"
#: A fixed set of checks keeps the golden file independent of checkov's growing catalogue.
CHECKOV_CHECKS = "CKV_AWS_7,CKV_AWS_23,CKV_AWS_24,CKV2_AWS_6,CKV_AWS_21,CKV_AWS_18,CKV_AWS_145"
HEAD = "0123456789abcdef0123456789abcdef01234567"


def workflow_override() -> str:
    """The Terraform override file exactly as the reusable workflow writes it (its heredoc)."""
    steps = yaml.safe_load(WORKFLOW.read_text())["jobs"]["plan"]["steps"]
    script = next(s["run"] for s in steps if "terraform -chdir" in s.get("run", ""))
    match = re.search(r"<<'EOF'\n(.*?)\nEOF\n", script, re.S)
    assert match, "the plan step no longer writes its override with a heredoc"
    return match.group(1) + "\n"


@pytest.fixture(scope="module")
def plan_json(tf_cli_config: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``terraform show -json`` of the service fixture, planned offline the way the workflow does it."""
    work = tmp_path_factory.mktemp("offline-plan") / "dev"
    shutil.copytree(SERVICE, work)
    tf = Terraform(work, cli_config=tf_cli_config, data_dir=work.parent / "tfdata")
    tf.init(backend=False)
    assert tf.validate()["valid"]
    (work / "zz_infra_checks_override.tf").write_text(workflow_override())
    tf.init("-reconfigure")
    tf.plan("-refresh=false", "-lock=false", out="infra-checks.tfplan")
    out = work.parent / "plan-dev.json"
    out.write_text(json.dumps(tf.show_json("infra-checks.tfplan")))
    return out


@pytest.fixture(scope="module")
def policy_json(plan_json: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from platform_tools.guardrails.policy.runner import check_plan

    results = check_plan(json.loads(plan_json.read_text()), filename="plan-dev.json")
    out = tmp_path_factory.mktemp("policy") / "policy-dev.json"
    out.write_text(json.dumps(results))
    return out


@pytest.fixture(scope="module")
def checkov_json(tmp_path_factory: pytest.TempPathFactory, checkov: str) -> Path:
    cmd = [checkov, "-d", str(SERVICE), "--framework", "terraform", "-o", "json", "--skip-download"]
    cmd += ["--check", CHECKOV_CHECKS]
    if (REPO / ".checkov.yaml").is_file():
        cmd += ["--config-file", str(REPO / ".checkov.yaml")]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=300, cwd=SERVICE)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    out = tmp_path_factory.mktemp("checkov") / "checkov.json"
    out.write_text(proc.stdout)
    return out


@pytest.mark.terraform
@pytest.mark.checkov
def test_golden_comment_on_real_outputs(checkov_json: Path, policy_json: Path) -> None:
    report = build_report(
        Inputs(trivy=TRIVY, checkov=checkov_json, policy=(policy_json,), cost=INFRACOST),
        head_sha=HEAD,
        guide_url="https://github.com/acme/platform-infra/blob/v1.0.0/docs/guardrails/README.md",
    )
    text = render_markdown(report)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text(), "comment changed; if intended, regenerate with UPDATE_GOLDEN=1"
    assert report.exit_code == 3
    status = {c.name: c.status for c in report.checks}
    assert status == {"trivy": "fail", "checkov": "fail", "policy": "fail", "cost": "warn"}


@pytest.mark.checkov
def test_checkov_findings_carry_severity_and_cis(checkov_json: Path) -> None:
    result = checkov_result(json.loads(checkov_json.read_text()), "HIGH")
    failed = {(f.rule, f.resource): f for f in result.findings}
    ssh = failed[("CKV_AWS_24", "aws_security_group.admin")]
    assert ssh.blocking and ssh.severity in ("CRITICAL", "HIGH")
    assert failed[("CKV2_AWS_6", "aws_s3_bucket.data")].cis  # a CIS control from the shipped table
    assert ("CKV_AWS_7", "aws_kms_key.data") not in failed  # the passing resource
    assert result.passed >= 2


@pytest.mark.terraform
def test_policies_flag_the_real_plan(policy_json: Path) -> None:
    result = policy_result(json.loads(policy_json.read_text()))
    denied = {(f.rule.split(".")[0], f.resource) for f in result.findings if f.blocking}
    assert any(r.startswith("security_groups") and a == "aws_security_group.admin" for r, a in denied), denied
    assert any(r.startswith("tags") for r, _ in denied), denied  # Team/Owner/CostCenter missing
    assert all(f.fix for f in result.findings), "every policy finding tells the team how to fix it"


# -- exit codes and statuses on fixtures (no engines) ------------------------------------------------------


def _checkov_clean(tmp_path: Path) -> Path:
    doc = {
        "check_type": "terraform",
        "results": {"passed_checks": [], "failed_checks": [], "skipped_checks": [], "parsing_errors": []},
        "summary": {"passed": 7, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 3},
    }
    path = tmp_path / "checkov.json"
    path.write_text(json.dumps(doc))
    return path


def _policy(tmp_path: Path, failures: int = 0, warnings: int = 0) -> Path:
    def result(i: int, kind: str) -> dict[str, Any]:
        return {
            "msg": f"aws_s3_bucket.b{i}: {kind} (tags.required); fix: add the tag",
            "metadata": {"rule": "tags.required", "address": f"aws_s3_bucket.b{i}", "fix": "add the tag"}
            | {"severity": "HIGH"},
        }

    doc = [
        {
            "filename": "plan-dev.json",
            "namespace": "tags",
            "successes": 9,
            "failures": [result(i, "deny") for i in range(failures)],
            "warnings": [result(i, "warn") for i in range(warnings)],
            "exceptions": [],
        }
    ]
    path = tmp_path / f"policy-{failures}-{warnings}.json"
    path.write_text(json.dumps(doc))
    return path


def _infracost(tmp_path: Path, past: str, total: str) -> Path:
    doc = json.loads(INFRACOST.read_text())
    diff = str(float(total) - float(past))
    doc.update(pastTotalMonthlyCost=past, totalMonthlyCost=total, diffTotalMonthlyCost=diff)
    project = doc["projects"][0]
    project["pastBreakdown"]["totalMonthlyCost"] = past
    project["breakdown"]["totalMonthlyCost"] = total
    project["diff"]["totalMonthlyCost"] = diff
    path = tmp_path / f"infracost-{past}-{total}.json"
    path.write_text(json.dumps(doc))
    return path


def _clean(tmp_path: Path, **changes: Any) -> Inputs:
    base: dict[str, Any] = {
        "trivy": TRIVY_CLEAN,
        "checkov": _checkov_clean(tmp_path),
        "policy": (_policy(tmp_path),),
        "cost": _infracost(tmp_path, "100", "101"),
    }
    base.update(changes)
    return Inputs(**base)


def test_all_clean_passes(tmp_path: Path) -> None:
    report = build_report(_clean(tmp_path))
    assert report.exit_code == 0
    assert [c.status for c in report.checks] == ["pass", "pass", "pass", "pass"]
    assert "**✅ passed**" in render_markdown(report)


def test_warnings_do_not_block(tmp_path: Path) -> None:
    report = build_report(_clean(tmp_path, policy=(_policy(tmp_path, warnings=2),), cost=INFRACOST))
    assert report.exit_code == 0
    assert {c.name: c.status for c in report.checks}["policy"] == "warn"
    assert "passed with warnings" in render_markdown(report)


@pytest.mark.parametrize(
    "changes, failing",
    [
        ({"trivy": TRIVY}, "trivy"),
        ({"policy": "deny"}, "policy"),
        ({"cost": "block"}, "cost"),
        ({"checkov": None}, "checkov"),
        ({"policy": ()}, "policy"),
        ({"trivy": Path("/nonexistent/trivy.json")}, "trivy"),
    ],
    ids=["trivy-critical", "policy-deny", "cost-block", "checkov-did-not-run", "no-plan", "missing-file"],
)
def test_each_blocking_cause_exits_3(tmp_path: Path, changes: dict[str, Any], failing: str) -> None:
    if changes.get("policy") == "deny":
        changes["policy"] = (_policy(tmp_path, failures=1),)
    if changes.get("cost") == "block":
        changes["cost"] = _infracost(tmp_path, "100", "140")
    report = build_report(_clean(tmp_path, **changes))
    assert report.exit_code == 3
    assert [c.name for c in report.blocking_checks] == [failing]


def test_unreadable_output_did_not_run(tmp_path: Path) -> None:
    broken = tmp_path / "trivy.json"
    broken.write_text('{"Results": []}')  # no SchemaVersion: not trivy's format
    report = build_report(_clean(tmp_path, trivy=broken))
    trivy = report.checks[0]
    assert trivy.status == "not_run" and "could not be read" in trivy.note
    assert report.exit_code == 3


def test_infracost_output_without_its_fields_did_not_run(tmp_path: Path) -> None:
    broken = tmp_path / "infracost.json"
    broken.write_text('{"version": "0.2"}')  # neither projects nor totals: the cost check refuses it
    report = build_report(_clean(tmp_path, cost=broken))
    cost = next(c for c in report.checks if c.name == "cost")
    assert cost.status == "not_run" and "could not be read" in cost.note
    assert report.exit_code == 3


def test_threshold_decides_what_blocks(tmp_path: Path) -> None:
    assert build_report(_clean(tmp_path, trivy=TRIVY), threshold="CRITICAL").exit_code == 3  # AWS-0107
    doc = json.loads(TRIVY.read_text())
    misconf = doc["Results"][1]["Misconfigurations"]
    doc["Results"][1]["Misconfigurations"] = [m for m in misconf if m["Severity"] != "CRITICAL"]
    high_only = tmp_path / "trivy-high.json"
    high_only.write_text(json.dumps(doc))
    assert build_report(_clean(tmp_path, trivy=high_only), threshold="CRITICAL").exit_code == 0
    assert build_report(_clean(tmp_path, trivy=high_only), threshold="HIGH").exit_code == 3


def test_disabled_check_is_off_and_does_not_block(tmp_path: Path) -> None:
    report = build_report(_clean(tmp_path, cost=None, disabled=frozenset({"cost"})))
    assert report.checks[3].status == "off" and report.exit_code == 0
    assert "⏸️ off" in render_markdown(report)


APPROVED = Override(True, "ok", label_present=True, approver="carol", approved_at="2026-11-29T10:00:00Z", commit=HEAD)


def test_accepted_override_passes_and_records_waived_findings(tmp_path: Path) -> None:
    report = build_report(_clean(tmp_path, trivy=TRIVY), override=APPROVED)
    assert report.exit_code == 0 and report.overridden
    text = render_markdown(report)
    assert "**Accepted.** Approved by @carol at 2026-11-29T10:00:00Z on commit `0123456789ab`" in text
    assert "- `trivy:AVD-AWS-0107@aws_security_group.admin`" in text
    record = report.to_dict()["override"]
    assert record["waived"] == list(report.waived) and record["applied"] and record["not_waivable"] == []


@pytest.mark.parametrize("findings", [True, False], ids=["with-findings", "only-the-missing-check"])
def test_an_override_never_waives_a_check_that_did_not_run(tmp_path: Path, findings: bool) -> None:
    """A plan that failed (no policy output) is not a finding anyone approved: the verdict stays blocked."""
    inputs = _clean(tmp_path, trivy=TRIVY if findings else TRIVY_CLEAN, policy=())
    report = build_report(inputs, override=APPROVED)
    assert report.exit_code == 3 and not report.overridden and report.waived == ()
    text = render_markdown(report)
    assert "**Approved, but not applied.** @carol approved commit `0123456789ab`" in text
    assert "an override cannot waive a check that did not run: policy (conftest / Rego)." in text
    assert "Re-run the job if a scanner crashed" in text and "fix the error in that check's section" in text
    assert "(an override cannot waive a check that did not run)" in text.split("\n")[3]  # the headline
    assert "passed by override" not in text and "Waived findings" not in text
    audit = report.to_dict()
    assert audit["status"] == "blocked" and audit["exit_code"] == 3
    o = audit["override"]
    assert (o["accepted"], o["applied"], o["waived"], o["not_waivable"]) == (True, False, [], ["policy"])


def test_refused_override_still_blocks_and_says_the_label_alone_does_nothing(tmp_path: Path) -> None:
    override = Override(False, "no approving review by a platform-team member", label_present=True, commit=HEAD)
    report = build_report(_clean(tmp_path, trivy=TRIVY), override=override)
    assert report.exit_code == 3
    assert "The label `infra-override` alone does nothing" in render_markdown(report)


def test_hostile_text_cannot_break_the_table_or_fake_the_marker(tmp_path: Path) -> None:
    doc = json.loads(TRIVY.read_text())
    doc["Results"][1]["Misconfigurations"][0]["Message"] = f"a | b\n{MARKER}<script>x</script>"
    path = tmp_path / "trivy-hostile.json"
    path.write_text(json.dumps(doc))
    text = render_markdown(build_report(_clean(tmp_path, trivy=path)))
    assert text.count(MARKER) == 1 and text.startswith(MARKER)
    assert "a \\| b<br>&lt;!-- infra-checks --&gt;&lt;script&gt;" in text
    assert cell("x\r\ny") == "x<br>y"


def test_long_lists_collapse_and_the_comment_fits_github(tmp_path: Path) -> None:
    doc = json.loads(TRIVY.read_text())
    template = doc["Results"][1]["Misconfigurations"][1]
    many = []
    for i in range(2000):
        item = copy.deepcopy(template)
        item["CauseMetadata"]["Resource"] = f"aws_s3_bucket.b{i}"
        many.append(item)
    doc["Results"][1]["Misconfigurations"] = many
    path = tmp_path / "trivy-many.json"
    path.write_text(json.dumps(doc))
    text = render_markdown(build_report(_clean(tmp_path, trivy=path)))
    assert "<details><summary>2000 findings</summary>" in text
    assert len(text) <= 60_000 and "cut to fit GitHub's size limit" in text


# -- the CLI ----------------------------------------------------------------------------------------------

INFRA = Path(sys.executable).parent / "infra"


def test_cli_exit_codes_and_outputs(tmp_path: Path) -> None:
    inputs = _clean(tmp_path)
    args = [str(INFRA), "report", "--trivy", str(inputs.trivy), "--checkov", str(inputs.checkov)]
    args += ["--policy", str(inputs.policy[0]), "--infracost", str(inputs.cost), "--json", str(tmp_path / "r.json")]
    ok = subprocess.run(args, capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(MARKER)
    assert json.loads((tmp_path / "r.json").read_text())["status"] == "pass"
    blocked = subprocess.run([*args[:3], str(TRIVY), *args[4:]], capture_output=True, text=True, check=False)
    assert blocked.returncode == 3
    bad = subprocess.run([*args, "--threshold", "severe"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "--threshold: is not a severity" in bad.stderr
