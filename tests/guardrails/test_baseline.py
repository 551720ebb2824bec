"""Scanner baseline: the CIS table against checkov itself, and every rule of skips and ignores."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import yaml

from platform_tools.cli import main
from platform_tools.guardrails import cis
from platform_tools.guardrails.cis import cis_controls, is_blocking, load_cis_table, severity
from platform_tools.guardrails.suppressions import check_baseline
from support.env import FIXTURES as FIXTURES_ROOT
from support.env import REPO as REPO_ROOT

TODAY = dt.date(2026, 11, 29)
FIXTURES = FIXTURES_ROOT / "checkov"
BASELINE_FILES = (
    ".checkov.yaml",
    "policy/checkov/cis_aws.yaml",
    "policy/checkov/skips.yaml",
    "trivy.yaml",
    ".trivyignore",
)


def checkov_python(checkov: str) -> Path:
    return Path(checkov).with_name("python")


# ------------------------------------------------------------------------------------------ the CIS table


def test_every_table_id_is_a_real_checkov_check_with_its_title(checkov: str) -> None:
    """Ask checkov's own registries (terraform resource, data, provider and graph checks) for id → title."""
    script = (
        "import json\n"
        "from checkov.terraform.checks.resource.registry import resource_registry\n"
        "from checkov.terraform.checks.data.registry import data_registry\n"
        "from checkov.terraform.checks.provider.registry import provider_registry\n"
        "from checkov.common.checks_infra.registry import get_graph_checks_registry\n"
        "names = {}\n"
        "for reg in (resource_registry, data_registry, provider_registry):\n"
        "    for checks in reg.checks.values():\n"
        "        names.update({c.id: c.name for c in checks})\n"
        "graph = get_graph_checks_registry('terraform')\n"
        "graph.load_checks()\n"
        "names.update({c.id: c.name for c in graph.checks})\n"
        "import checkov.version\n"
        "print(json.dumps({'version': checkov.version.version, 'names': names}))\n"
    )
    proc = subprocess.run(
        [str(checkov_python(checkov)), "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    real = json.loads(proc.stdout)
    table = load_cis_table()
    assert len(real["names"]) > 1000  # the registries really loaded
    unknown = sorted(set(table.checks) - set(real["names"]))
    assert not unknown, f"not checkov {real['version']} check ids: {unknown}"
    renamed = {
        cid: (row.title, real["names"][cid]) for cid, row in table.checks.items() if row.title != real["names"][cid]
    }
    assert not renamed, renamed
    assert table.checkov_version == real["version"], "update checkov_version in policy/checkov/cis_aws.yaml"


def test_table_covers_the_aws_areas_and_is_honest_about_cis() -> None:
    table = load_cis_table()
    areas = {row.area for row in table.checks.values()}
    assert {"s3", "kms", "cloudtrail", "iam", "ec2-vpc", "rds", "elb", "ecs", "logs"} <= areas
    mapped = [row for row in table.checks.values() if row.cis]
    assert 25 <= len(mapped) < len(table.checks)  # most checks have no CIS control and say so
    assert table.version == "3.0.0"
    for row in mapped:
        assert all(c.split(".")[0] in {"1", "2", "3", "4", "5"} for c in row.cis), row


def test_cis_and_severity_lookup() -> None:
    assert cis_controls("CKV_AWS_24") == ["CIS v3.0.0 5.2", "CIS v3.0.0 5.3"]
    assert cis_controls("CKV_AWS_7") == ["CIS v3.0.0 3.6"]
    assert cis_controls("CKV_AWS_145") == []  # platform baseline, no CIS control
    assert cis_controls("CKV_NOT_1") == []
    assert (severity("CKV_AWS_17"), is_blocking("CKV_AWS_17")) == ("CRITICAL", True)
    assert (severity("CKV_AWS_18"), is_blocking("CKV_AWS_18")) == ("MEDIUM", False)
    assert (severity("CKV_AWS_999999"), is_blocking("CKV_AWS_999999")) == ("MEDIUM", False)


def test_hard_fail_on_is_the_blocking_part_of_the_table() -> None:
    config = yaml.safe_load((REPO_ROOT / ".checkov.yaml").read_text())
    assert config["hard-fail-on"] == load_cis_table().blocking_ids()
    assert config["download-external-modules"] is False
    assert "bc-api-key" not in config


def test_trivy_config_carries_the_seed_baseline() -> None:
    text = (REPO_ROOT / "trivy.yaml").read_text()
    conf = yaml.safe_load(text)
    assert conf["scan"]["scanners"] == ["misconfig"]
    assert set(conf["severity"]) == {"LOW", "MEDIUM", "HIGH", "CRITICAL"}
    assert conf["ignorefile"] == ".trivyignore"
    for rule in (
        "AVD-AWS-0088",
        "AVD-AWS-0086",
        "AVD-AWS-0107",
        "AVD-AWS-0080",
        "AVD-AWS-0082",
        "AVD-AWS-0014",
        "AVD-AWS-0065",
        "AVD-AWS-0057",
    ):
        assert rule in text


# ------------------------------------------------------------------------------------------- validation


def test_this_repository_passes() -> None:
    """By today's date on purpose: an exception that expires must turn CI red until it is renewed or removed
    (that is the audit trail); the failure cases below use a fixed date."""
    report = check_baseline(REPO_ROOT)
    assert report.problems == [], "\n".join(p.render() for p in report.problems)
    assert report.global_skips == ["CKV2_AWS_62"]
    assert report.trivy_ignores == ["AVD-AWS-0104", "AVD-AWS-0107", "AVD-AWS-0053"]
    assert {s.file for s in report.inline} >= {"modules_out/rds/main.tf", "modules_out/sg/main.tf"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the baseline files, free to break."""
    for rel in BASELINE_FILES:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / rel, tmp_path / rel)
    shutil.copytree(
        REPO_ROOT / "modules_out" / "rds" / "examples" / "postgresql",
        tmp_path / "modules_out" / "rds" / "examples" / "postgresql",
    )
    return tmp_path


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def problems(root: Path, today: dt.date = TODAY, scan: list[Path] | None = None) -> list[str]:
    return [p.render() for p in check_baseline(root, scan_dirs=scan or [], today=today).problems]


def test_copy_passes(root: Path) -> None:
    assert problems(root) == []


def test_unregistered_global_skip(root: Path) -> None:
    edit_yaml(root / ".checkov.yaml", lambda d: d["skip-check"].append("CKV_AWS_18"))
    found = problems(root)
    assert len(found) == 1 and "skip-check: is not in the skip registry (got 'CKV_AWS_18')" in found[0]


def test_stale_registry_entry(root: Path) -> None:
    edit_yaml(root / ".checkov.yaml", lambda d: d.update({"skip-check": []}))
    found = problems(root)
    assert (
        len(found) == 1
        and "CKV2_AWS_62: is registered as a repo-wide skip but .checkov.yaml does not skip it" in found[0]
    )


def test_expired_skip_and_ignore() -> None:
    found = problems(REPO_ROOT, today=dt.date(2028, 1, 1))
    assert sum("expired (today is 2028-01-01)" in p for p in found) == 5  # two registry entries, three .trivyignore
    assert problems(REPO_ROOT, today=dt.date(2027, 5, 31)) == []  # the last valid day
    assert len(problems(REPO_ROOT, today=dt.date(2027, 6, 1))) == 1


def test_registry_entry_needs_reason_approver_ticket_and_a_short_validity(root: Path) -> None:
    def gut(d: Any) -> None:
        d["skips"][0].update(reason="", approver=None, expires=dt.date(2028, 6, 1))
        del d["skips"][0]["ticket"]

    edit_yaml(root / "policy/checkov/skips.yaml", gut)
    found = "\n".join(problems(root))
    for text in (
        ".reason: is required",
        ".approver: is required",
        ".ticket: is required",
        "days after approved (at most 365)",
    ):
        assert text in found


@pytest.mark.parametrize(
    ("approved", "expires", "message"),
    [
        # an approval dated ahead would stretch the 365-day window without limit
        ("2099-01-01", "2099-12-31", "skips[0] (CKV2_AWS_62).approved: is after today (2026-11-29)"),
        ("2026-11-29", "9999-99-99", "skips[0] (CKV2_AWS_62).expires: must be a date YYYY-MM-DD"),
        ("2026-11-29", "2027-02-30", "skips[0] (CKV2_AWS_62).expires: must be a date YYYY-MM-DD"),
        # ISO forms Python reads but trivy and the Rego policies do not
        ("2026-11-29", "20271128", "skips[0] (CKV2_AWS_62).expires: must be a date YYYY-MM-DD"),
        ("2026-W48-7", "2027-11-28", "skips[0] (CKV2_AWS_62).approved: must be a date YYYY-MM-DD"),
    ],
)
def test_registry_dates_are_real_and_the_approval_is_not_ahead(
    root: Path, approved: str, expires: str, message: str
) -> None:
    edit_yaml(root / "policy/checkov/skips.yaml", lambda d: d["skips"][0].update(approved=approved, expires=expires))
    found = problems(root)
    assert len(found) == 1 and message in found[0], found


def test_resource_entry_must_point_at_a_live_inline_skip(root: Path) -> None:
    main_tf = root / "modules_out/rds/examples/postgresql/main.tf"
    main_tf.write_text("\n".join(line for line in main_tf.read_text().splitlines() if "checkov:skip" not in line))
    found = problems(root)
    assert len(found) == 1 and "holds no inline checkov:skip=CKV_AWS_157" in found[0]


def test_hard_fail_on_drift(root: Path) -> None:
    edit_yaml(
        root / ".checkov.yaml",
        lambda d: d["hard-fail-on"].remove("CKV_AWS_24") or d["hard-fail-on"].append("CKV_AWS_18"),
    )
    found = "\n".join(problems(root))
    assert "misses CRITICAL/HIGH checks of the CIS table (got ['CKV_AWS_24'])" in found
    assert "lists checks that are not CRITICAL/HIGH in the table (got ['CKV_AWS_18'])" in found


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("# reason: r\n# approver: @a\nAVD-AWS-0086\n", "has no valid expiry"),
        ("# reason: r\n# approver: @a\nAVD-AWS-0086 exp:2026-11-28\n", "expired (today is 2026-11-29)"),
        ("# reason: r\n# approver: @a\nAVD-AWS-0086 exp:2027-12-01\n", "expires more than 365 days ahead"),
        ("# reason: r\n# approver: @a\nAVD-AWS-0086 exp:20270101\n", "has no valid expiry"),  # trivy reads no date
        ("# approver: @a\nAVD-AWS-0086 exp:2027-01-01\n", "has no `# reason:` comment"),
        (
            "# reason: r\n\n# approver: @a\nAVD-AWS-0086 exp:2027-01-01\n",
            "has no `# reason:` comment",
        ),  # blank line: new block
        ("# reason: r\nAVD-AWS-0086 exp:2027-01-01\n", "has no `# approver:` comment"),
        ("# reason: r\n# approver: @a\nnot an id! exp:2027-01-01\n", "is not a trivy check id"),
    ],
)
def test_trivyignore_rules(root: Path, entry: str, message: str) -> None:
    with (root / ".trivyignore").open("a") as f:
        f.write("\n" + entry)
    found = problems(root)
    assert len(found) == 1 and message in found[0], found


def test_trivyignore_entry_with_everything_passes(root: Path) -> None:
    with (root / ".trivyignore").open("a") as f:
        f.write(
            "\n# reason: the bucket is the public website\n"
            "# approver: @acme/security ticket: SEC-1\nAVD-AWS-0093 exp:2027-02-01\n"
        )
    assert problems(root) == []
    assert check_baseline(root, scan_dirs=[], today=TODAY).trivy_ignores == [
        "AVD-AWS-0104",
        "AVD-AWS-0107",
        "AVD-AWS-0053",
        "AVD-AWS-0093",
    ]


def test_inline_skips_need_a_reason(root: Path) -> None:
    code = root / "infra"
    code.mkdir()
    (code / "main.tf").write_text(
        'resource "aws_s3_bucket" "a" {\n'
        "  #checkov:skip=CKV_AWS_18:logs bucket of its own\n"  # checkov's compact form, with a reason
        "  # checkov:skip=CKV_AWS_21\n"  # no reason
        '  bucket = "x" #tfsec:ignore:aws-s3-enable-versioning\n'  # no reason
        "  #trivy:ignore:AVD-AWS-0089:exp:2027-01-01 access logs of the log bucket loop\n"  # reason after exp
        '  tags = { note = "# checkov:skip=CKV_AWS_99 is text, not a comment" }\n'
        "}\n"
        "// checkov:skip=NOT_AN_ID: reason\n"
    )
    (code / "cdk.tf.json").write_text(
        json.dumps(
            {
                "resource": {
                    "aws_s3_bucket": {
                        "b": {
                            "//": {
                                "checkov_skip_CKV_AWS_144": "checkov:skip=CKV_AWS_144: single-region by design",
                                "checkov_skip_CKV_AWS_145": "checkov:skip=CKV_AWS_145",
                            }
                        }
                    }
                }
            },
            indent=2,
        )
    )
    report = check_baseline(root, scan_dirs=[code], today=TODAY)
    found = sorted((p.path, p.message) for p in report.problems)
    assert found == [
        ("infra/cdk.tf.json:7", "inline checkov skip of CKV_AWS_145 has no reason"),
        ("infra/main.tf:3", "inline checkov skip of CKV_AWS_21 has no reason"),
        ("infra/main.tf:4", "inline tfsec skip of aws-s3-enable-versioning has no reason"),
        ("infra/main.tf:8", "checkov:skip names no checkov check id"),
    ]
    assert {(s.tool, s.check_id) for s in report.inline} == {
        ("checkov", "CKV_AWS_18"),
        ("checkov", "CKV_AWS_21"),
        ("tfsec", "aws-s3-enable-versioning"),
        ("trivy", "AVD-AWS-0089"),
        ("checkov", "NOT_AN_ID"),
        ("checkov", "CKV_AWS_144"),
        ("checkov", "CKV_AWS_145"),
    }


def test_cli_exit_codes(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["baseline", "check", "--root", str(root), "--scan", str(root / "modules_out"), "--today", "2026-11-29"])
        == 0
    )
    assert capsys.readouterr().out.startswith("ok: checkov global skips: 1 (CKV2_AWS_62)")
    assert (
        main(["baseline", "check", "--root", str(root), "--scan", str(root / "modules_out"), "--today", "2028-01-01"])
        == 3
    )
    err = capsys.readouterr().err
    assert "scanner baseline: 5 problem(s)" in err and "fix: " in err
    (root / ".checkov.yaml").write_text("skip-check: [\n")
    assert main(["baseline", "check", "--root", str(root)]) == 2
    assert "is not valid YAML" in capsys.readouterr().err


# ----------------------------------------------------------------------------------- checkov, for real


def test_checkov_runs_the_config(tmp_path: Path, checkov: str) -> None:
    """Two real runs. The shipped config over the warning fixture: it loads, the global and the inline skip
    work, MEDIUM/LOW failures do not fail the run. The same config without its global skip over both
    fixtures: CKV2_AWS_62 fires again and the CRITICAL CKV_AWS_24 makes checkov exit 1 (hard-fail-on)."""
    exe = checkov
    unskipped = tmp_path / "unskipped.checkov.yaml"
    config = yaml.safe_load((REPO_ROOT / ".checkov.yaml").read_text())
    config["skip-check"] = []
    unskipped.write_text(yaml.safe_dump(config))
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}

    def run(target: Path, config: Path) -> tuple[int, dict[str, Any]]:
        # cwd is an empty folder: checkov would otherwise also load ./.checkov.yaml on its own
        proc = subprocess.run(
            [exe, "-d", str(target), "--config-file", str(config), "-o", "json", "--skip-download"],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            check=False,
            timeout=300,
        )
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
        return proc.returncode, json.loads(proc.stdout)

    with ThreadPoolExecutor(max_workers=2) as pool:
        shipped = pool.submit(run, FIXTURES / "warning", REPO_ROOT / ".checkov.yaml")
        without_skip = pool.submit(run, FIXTURES, unskipped)
        (code, report), (code_all, report_all) = shipped.result(), without_skip.result()

    def ids(report: dict[str, Any], kind: str) -> set[str]:
        return {c["check_id"] for c in report["results"][kind]}

    failed = ids(report, "failed_checks")
    assert code == 0, failed  # failures, but none CRITICAL/HIGH
    assert failed and not any(cis.is_blocking(c) for c in failed)
    assert report["summary"]["parsing_errors"] == 0
    assert "CKV2_AWS_62" not in failed | ids(report, "passed_checks") | ids(report, "skipped_checks")
    skipped = {
        c["check_id"]: c["check_result"]["suppress_comment"].strip() for c in report["results"]["skipped_checks"]
    }
    assert skipped == {"CKV_AWS_21": "scratch data is recreated by the nightly job; versions would only cost money"}

    assert code_all == 1
    assert {"CKV2_AWS_62", "CKV_AWS_24"} <= ids(report_all, "failed_checks")


def test_scanners_doc_lists_every_cis_mapping() -> None:
    doc = (REPO_ROOT / "docs" / "guardrails" / "scanners.md").read_text()
    table = load_cis_table()
    for row in table.checks.values():
        if row.cis:
            assert f"| {', '.join(row.cis)} | `{row.id}` | {row.title} | {row.severity} |" in doc, row.id
    assert f"| **total** | {len(table.checks)} | {sum(1 for r in table.checks.values() if r.cis)} |" in doc


def test_a_scan_path_that_does_not_exist_is_an_error_not_a_pass(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from platform_tools.cli import main

    assert main(["baseline", "check", "--scan", str(tmp_path / "typo")]) == 2
    err = capsys.readouterr().err
    assert "--scan: does not exist" in err and "typo" in err and "Traceback" not in err
