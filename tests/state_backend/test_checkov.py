"""checkov over the synthesized state backend: zero failed checks, every skip inline with a reason."""

from __future__ import annotations

import re
from pathlib import Path

from platform_tools.guardrails.checkov import run_checkov


def test_zero_failed_checks(synth_out: Path, checkov: str) -> None:
    report = run_checkov(synth_out / "hcl" / "state-backend")
    assert report.parsing_errors == 0
    assert report.resource_count == 20
    assert report.failed == (), "\n".join(f"{f.check_id} {f.resource}: {f.check_name}" for f in report.failed)
    assert report.unjustified_skips == ()
    assert {(s.check_id, s.resource) for s in report.skipped} == {
        ("CKV_AWS_144", "aws_s3_bucket.state"),
        ("CKV_AWS_144", "aws_s3_bucket.state_access_logs"),
        ("CKV_AWS_145", "aws_s3_bucket.state_access_logs"),
        ("CKV_AWS_18", "aws_s3_bucket.state_access_logs"),
    }
    assert report.passed >= 40


def test_the_scan_can_fail(synth_out: Path, tmp_path: Path, checkov: str) -> None:
    """Drop the KMS rotation and the public access block: checkov must notice (the test above can fail)."""
    text = (synth_out / "hcl" / "state-backend" / "main.tf").read_text()
    text = text.replace("enable_key_rotation     = true", "enable_key_rotation     = false")
    text = re.sub(r'resource "aws_s3_bucket_public_access_block" "state" \{.*?\n\}\n', "", text, flags=re.S)
    (tmp_path / "main.tf").write_text(text)
    failed = {(f.check_id, f.resource) for f in run_checkov(tmp_path).failed}
    assert ("CKV_AWS_7", "aws_kms_key.state_key") in failed
    assert ("CKV2_AWS_6", "aws_s3_bucket.state") in failed
