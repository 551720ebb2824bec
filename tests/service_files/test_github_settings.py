"""The GitHub settings that bind the PR gate: rulesets valid for GitHub's API, and meaning what the docs say.

Every rendered ruleset is validated against the request schema GitHub publishes for ``POST
/repos/{owner}/{repo}/rulesets`` (vendored in tests/fixtures/github/, see its README), as published and closed
against unknown properties. The semantics are tested rule by rule: the service gate cannot be bypassed, a
released tag cannot be moved or deleted by anyone, and CODEOWNERS gives every gate path to the platform team
under GitHub's last-match-wins rule, with the paths taken from the registry.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from platform_constructs.errors import ConfigError
from platform_constructs.registry import Registry
from platform_constructs.registry.loader import read_registry_text
from platform_tools.service_files import github_settings as gs
from platform_tools.service_files.render import render_service_files
from support import github_schema
from support.env import REPO

VALIDATOR = jsonschema.Draft202012Validator(github_schema.load_vendored())
STRICT = jsonschema.Draft202012Validator(github_schema.strict(github_schema.load_vendored()))
PLATFORM_TEAM = "@acme/platform-team"


def with_override(registry: Registry, **update: object) -> Registry:
    override = registry.guardrails.override.model_copy(update=update)
    guardrails = registry.guardrails.model_copy(update={"override": override})
    return registry.model_copy(update={"guardrails": guardrails})


def with_service(registry: Registry, **update: object) -> Registry:
    first = registry.services[0].model_copy(update=update)
    return registry.model_copy(update={"services": (first, *registry.services[1:])})


def all_rulesets(registry: Registry) -> list[gs.Ruleset]:
    return [s.ruleset for s in gs.service_files(registry)] + list(gs.platform_rulesets(registry))


def rule(body: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [r for r in body["rules"] if r["type"] == kind]
    assert len(found) == 1, f"{body['name']}: expected one {kind} rule, found {len(found)}"
    return found[0]


def errors(validator: jsonschema.Draft202012Validator, body: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(body)]


# --- GitHub's schema -------------------------------------------------------------------------------------------


def test_vendored_schema_is_a_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(github_schema.load_vendored())
    assert github_schema.SOURCE["commit"] in github_schema.load_vendored()["$comment"]


def test_every_rendered_ruleset_is_a_valid_request_body(registry: Registry) -> None:
    rulesets = all_rulesets(registry)
    assert len(rulesets) == len(registry.services) + 3
    for ruleset in rulesets:
        body = json.loads(ruleset.text())  # what the file holds, not the dict it came from
        assert errors(VALIDATOR, body) == [], ruleset.filename
        assert errors(STRICT, body) == [], ruleset.filename


@pytest.mark.parametrize(
    "mutate, where",
    [
        (lambda b: b.update(enforcement="enforced"), "enforcement"),
        (lambda b: b["rules"].append({"type": "require_everything"}), "rules/4"),
        (lambda b: b["bypass_actors"].append({"actor_id": "5", "actor_type": "RepositoryRole"}), "bypass_actors/0"),
        (lambda b: b["rules"][3]["parameters"]["required_status_checks"][0].pop("context"), "rules/3"),
        (lambda b: b["rules"][2]["parameters"].pop("require_last_push_approval"), "rules/2"),
    ],
    ids=["enforcement", "unknown-rule", "actor-id-type", "check-without-context", "missing-parameter"],
)
def test_schema_refuses_what_github_refuses(registry: Registry, mutate: Any, where: str) -> None:
    body = json.loads(gs.service_ruleset(registry, "fileflow").text())
    mutate(body)
    found = errors(VALIDATOR, body)
    assert found and all(e.startswith(where) for e in found), found


def test_closed_schema_refuses_a_misspelt_parameter_github_would_ignore(registry: Registry) -> None:
    body = json.loads(gs.service_ruleset(registry, "fileflow").text())
    params = rule(body, "pull_request")["parameters"]
    params["require_code_owner_reviews"] = params.pop("require_code_owner_review")
    assert errors(STRICT, body)
    body = json.loads(gs.service_ruleset(registry, "fileflow").text())
    body["bypass"] = []
    assert errors(STRICT, body) and not errors(VALIDATOR, body)


def test_extract_resolves_references_nullable_and_drops_prose() -> None:
    description = {
        "paths": {
            "/repos/{owner}/{repo}/rulesets": {
                "post": {
                    "requestBody": {
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "description": "prose",
                                    "properties": {
                                        "description": {"type": "string", "example": "x"},
                                        "actor": {"$ref": "#/components/schemas/actor"},
                                    },
                                }
                            }
                        }
                    }
                }
            }
        },
        "components": {
            "schemas": {
                "actor": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer", "nullable": True},
                        "mode": {"type": "string", "nullable": True, "enum": ["a"]},
                        "next": {"$ref": "#/components/schemas/actor"},
                    },
                },
                "unused": {"type": "string"},
            }
        },
    }
    schema = github_schema.extract(description, {"repository": "r", "path": "p", "commit": "c"})
    assert schema["properties"] == {"description": {"type": "string"}, "actor": {"$ref": "#/$defs/actor"}}
    assert "description" not in schema and list(schema["$defs"]) == ["actor"]
    actor = schema["$defs"]["actor"]["properties"]
    assert actor["id"] == {"type": ["integer", "null"]}
    assert actor["mode"] == {"type": ["string", "null"], "enum": ["a", None]}
    assert actor["next"] == {"$ref": "#/$defs/actor"}
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid({"actor": {"id": None, "next": {"id": 3}}})
    assert not validator.is_valid({"actor": {"next": {"id": "3"}}})


def _description_text() -> str | None:
    """The pinned description: the file $GITHUB_REST_DESCRIPTION, or the pinned commit's file in the git repository
    (clone or mirror) $GITHUB_REST_DESCRIPTION_GIT; None when neither is set."""
    if path := os.environ.get("GITHUB_REST_DESCRIPTION"):
        return Path(path).read_text()
    if not (git_dir := os.environ.get("GITHUB_REST_DESCRIPTION_GIT")):
        return None
    spec = f"{github_schema.SOURCE['commit']}:{github_schema.SOURCE['path']}"
    out = subprocess.run(["git", "-C", git_dir, "show", spec], capture_output=True, text=True, check=True)
    return out.stdout


def test_vendored_schema_matches_the_description() -> None:
    """Regenerates the vendored file from GitHub's description when it is available (see the fixture README)."""
    text = _description_text()
    if text is None:
        pytest.skip("GitHub's REST description is not here (GITHUB_REST_DESCRIPTION or GITHUB_REST_DESCRIPTION_GIT)")
    regenerated = github_schema.dumps(github_schema.extract(json.loads(text)))
    assert regenerated == github_schema.VENDORED.read_text()


# --- what the rulesets mean ------------------------------------------------------------------------------------


def test_service_ruleset_binds_the_gate_without_bypass(registry: Registry) -> None:
    ruleset = gs.service_ruleset(registry, "crawlinghub")
    body = ruleset.body
    assert ruleset.repo == "acme/crawlinghub" and ruleset.filename == "ruleset-crawlinghub.json"
    assert body["target"] == "branch" and body["enforcement"] == "active"
    assert body["conditions"] == {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}}
    assert body["bypass_actors"] == []
    pr = rule(body, "pull_request")["parameters"]
    assert pr["require_code_owner_review"] is True
    assert pr["dismiss_stale_reviews_on_push"] is True
    assert pr["require_last_push_approval"] is True
    assert pr["required_approving_review_count"] >= 1
    checks = rule(body, "required_status_checks")["parameters"]
    assert checks["strict_required_status_checks_policy"] is True
    assert checks["do_not_enforce_on_create"] is False
    assert checks["required_status_checks"] == [
        {"context": gs.REQUIRED_CHECK_CONTEXT, "integration_id": gs.GITHUB_ACTIONS_APP_ID}
    ]
    rule(body, "deletion")
    rule(body, "non_fast_forward")


def test_required_check_is_the_one_constant(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(gs, "REQUIRED_CHECK_CONTEXT", "gate / decide")
    checks = rule(gs.service_ruleset(registry, "fileflow").body, "required_status_checks")["parameters"]
    assert [c["context"] for c in checks["required_status_checks"]] == ["gate / decide"]


def test_enterprise_server_host_gets_no_github_com_app_pin(registry: Registry) -> None:
    ghes = registry.model_copy(update={"github": registry.github.model_copy(update={"host": "git.acme.example"})})
    checks = rule(gs.service_ruleset(ghes, "fileflow").body, "required_status_checks")["parameters"]
    assert checks["required_status_checks"] == [{"context": gs.REQUIRED_CHECK_CONTEXT}]


def test_release_tags_cannot_be_moved_or_deleted_by_anyone(registry: Registry) -> None:
    main, tags, creation = gs.platform_rulesets(registry)
    for ruleset in (main, tags, creation):
        assert ruleset.repo == "acme/platform-infra" and ruleset.body["enforcement"] == "active"
    v_tags = {"ref_name": {"include": ["refs/tags/v*"], "exclude": []}}
    assert tags.body["target"] == "tag" and tags.body["conditions"] == v_tags
    assert {r["type"] for r in tags.body["rules"]} == {"deletion", "update", "non_fast_forward"}
    assert tags.body["bypass_actors"] == []
    assert creation.body["target"] == "tag" and creation.body["conditions"] == v_tags
    assert creation.body["rules"] == [{"type": "creation"}]
    assert creation.body["bypass_actors"] == [
        {"actor_id": gs.REPOSITORY_ADMIN_ROLE_ID, "actor_type": "RepositoryRole", "bypass_mode": "always"}
    ]
    # whatever can be bypassed must never include moving or deleting a tag
    for ruleset in (tags, creation):
        if ruleset.body["bypass_actors"]:
            assert not {r["type"] for r in ruleset.body["rules"]} & {"deletion", "update", "non_fast_forward"}


def test_platform_main_needs_code_owners_and_only_admins_bypass(registry: Registry) -> None:
    main = gs.platform_rulesets(registry)[0].body
    assert main["target"] == "branch" and main["conditions"]["ref_name"]["include"] == ["~DEFAULT_BRANCH"]
    assert rule(main, "pull_request")["parameters"]["require_code_owner_review"] is True
    rule(main, "deletion")
    rule(main, "non_fast_forward")
    assert [a["actor_type"] for a in main["bypass_actors"]] == ["RepositoryRole"]
    assert main["bypass_actors"][0]["actor_id"] == gs.REPOSITORY_ADMIN_ROLE_ID


def test_ruleset_names_are_unique_per_repository(registry: Registry) -> None:
    seen: dict[str, set[str]] = {}
    for ruleset in all_rulesets(registry):
        assert ruleset.name not in seen.setdefault(ruleset.repo, set()), ruleset.name
        seen[ruleset.repo].add(ruleset.name)


# --- CODEOWNERS ------------------------------------------------------------------------------------------------


def owners_of(codeowners: str, path: str) -> list[str]:
    """GitHub's rule for the two pattern forms the platform renders: the LAST matching line wins."""
    owners: list[str] = []
    for line in codeowners.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        pattern, *names = line.split()
        assert pattern.startswith("/"), f"unanchored pattern {pattern!r}"
        anchored = pattern[1:]
        if pattern.endswith("/"):
            matches = path.startswith(anchored)
        else:
            assert "*" not in anchored, f"this helper does not read globs: {pattern!r}"
            matches = path == anchored or path.startswith(anchored + "/")
        if matches:
            owners = names
    return owners


@pytest.mark.parametrize(
    "workdir, inside",
    [("infra", "infra/environments/dev/main.tf"), ("deploy/terraform", "deploy/terraform/modules/x/variables.tf")],
)
def test_codeowners_gives_every_gate_path_to_the_platform_team(registry: Registry, workdir: str, inside: str) -> None:
    reg = with_service(registry, working_directory=workdir)
    text = gs.render_codeowners(reg, reg.services[0].name)
    for path in (
        ".github/workflows/infra-checks.yml",
        ".github/workflows/anything-new.yml",
        ".github/CODEOWNERS",
        "CODEOWNERS",
        "docs/CODEOWNERS",
        "infracost.yml",
        inside,
    ):
        assert owners_of(text, path) == [PLATFORM_TEAM], path
    assert owners_of(text, "src/app.py") == []  # the rest of the repository stays the service team's
    assert owners_of(text, "infracost.yml.bak") == []
    if workdir != "infra":
        assert owners_of(text, "infra/main.tf") == []  # the path comes from the registry, not a default


def test_codeowners_falls_back_to_the_approvers_and_refuses_no_owner(registry: Registry) -> None:
    users = with_override(registry, team=None, approvers=("alice", "bob-2"))
    assert owners_of(gs.render_codeowners(users, "fileflow"), ".github/CODEOWNERS") == ["@alice", "@bob-2"]
    nobody = with_override(registry, team=None, approvers=())
    with pytest.raises(ConfigError) as info:
        gs.render_codeowners(nobody, "fileflow")
    [problem] = info.value.problems
    assert problem.path == "guardrails.override.team"
    assert "would own nothing" in problem.message and "ORG/TEAM-SLUG" in problem.fix


def test_codeowners_team_must_belong_to_the_repositories_owner(registry: Registry) -> None:
    other = with_override(registry, team="elsewhere/platform")
    with pytest.raises(ConfigError, match="organisation that owns the service repositories"):
        gs.service_files(other)


def test_an_unvalidated_working_directory_cannot_add_an_owner_line(registry: Registry) -> None:
    evil = with_service(registry, working_directory="infra/\n* @evil")
    with pytest.raises(ConfigError, match="working_directory"):
        gs.render_codeowners(evil, evil.services[0].name)


def test_a_service_registered_on_the_platform_repository_is_refused(registry: Registry) -> None:
    clash = with_service(registry, repo="Platform-Infra")
    with pytest.raises(ConfigError, match="is the platform repository itself"):
        gs.service_files(clash)


# --- rendering ------------------------------------------------------------------------------------------------


def test_render_writes_codeowners_into_each_service_tree(registry: Registry, tmp_path: Path) -> None:
    render_service_files(registry, tmp_path / "services")
    for svc in registry.services:
        path = tmp_path / "services" / svc.name / ".github" / "CODEOWNERS"
        assert path.read_text() == gs.render_codeowners(registry, svc.name)


def test_render_github_files(registry: Registry, tmp_path: Path) -> None:
    out = tmp_path / "github"
    written = gs.render_github_files(registry, out)
    names = sorted(p.name for p in written)
    expected = [f"ruleset-{s.name}.json" for s in registry.services]
    expected += ["ruleset-platform-main.json", "ruleset-platform-tags.json", "ruleset-platform-tag-creation.json"]
    assert names == sorted([*expected, "APPLY.md", gs.APPLY_SCRIPT])
    for ruleset in all_rulesets(registry):
        assert json.loads((out / ruleset.filename).read_text()) == ruleset.body
    assert os.access(out / gs.APPLY_SCRIPT, os.X_OK)
    apply = (out / "APPLY.md").read_text()
    assert "--method PUT repos/acme/fileflow/rulesets/ID --input ruleset-fileflow.json" in apply
    assert gs.REQUIRED_CHECK_CONTEXT in apply
    # a service that leaves the registry leaves no ruleset behind
    fewer = registry.model_copy(update={"services": registry.services[:1]})
    gs.render_github_files(fewer, out)
    assert not (out / "ruleset-authhub.json").exists()


def test_render_cli_refuses_a_registry_without_code_owners(tmp_path: Path) -> None:
    data = yaml.safe_load(read_registry_text(None)[1])
    data["guardrails"]["override"] = {"label": "infra-override", "approvers": []}
    bad = tmp_path / "platform.yaml"
    bad.write_text(yaml.safe_dump(data, sort_keys=False))
    infra = Path(sys.executable).parent / "infra"
    args = ["--platform", str(bad), "--out", str(tmp_path / "s"), "--github-out", str(tmp_path / "g")]
    out = subprocess.run([str(infra), "render", *args], capture_output=True, text=True, check=False)
    assert out.returncode == 2, out.stderr
    assert "guardrails.override.team" in out.stderr and "fix: set guardrails.override.team" in out.stderr
    assert not (tmp_path / "s").exists() and not (tmp_path / "g").exists()


def test_docs_name_the_required_check_and_link_the_binding_guide() -> None:
    binding = (REPO / "docs" / "guardrails" / "binding.md").read_text()
    assert f"`{gs.REQUIRED_CHECK_CONTEXT}`" in binding
    assert "(binding.md)" in (REPO / "docs" / "guardrails" / "README.md").read_text()
