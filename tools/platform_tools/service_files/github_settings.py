"""The GitHub settings that make the PR gate binding, rendered as files a platform admin applies.

The infra-checks caller runs from the pull request's merge commit, so a PR could edit the caller (or add a
workflow that reports a green check of the same name) unless GitHub itself stops it. Code cannot configure
GitHub for us (that needs an admin's token), so this module renders what the admin applies, and nothing here
talks to GitHub (docs/guardrails/binding.md):

- ``CODEOWNERS`` for each service repository: the platform team owns the caller (``.github/``), the cost
  configuration (``infracost.yml``), the Terraform the check reads (the service's ``working_directory``) and
  ``CODEOWNERS`` itself, so changing any of them needs a platform-team approval;
- a repository ruleset per service repository (the body of ``POST /repos/{owner}/{repo}/rulesets``): pull
  request before merge with a code-owner approval, stale approvals dismissed, last-push approval, the
  :data:`REQUIRED_CHECK_CONTEXT` status check (strict), no force push, no deletion, and no bypass at all;
- for the platform repository: a ruleset for the default branch and two for the ``v*`` release tags (the tags
  the callers and module sources pin), one that nobody bypasses (no deletion, no move) and one that restricts
  creation to the repository's admins;
- ``APPLY.md`` with the exact ``gh api`` commands, and ``apply-rulesets.sh``, which creates or updates each
  ruleset by name, so running it twice changes nothing.

Every ruleset is checked in the tests against GitHub's published REST description (tests/fixtures/github/).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platform_constructs.errors import ConfigError, Problem
from platform_constructs.output_tree import staged_tree
from platform_constructs.registry import Registry
from platform_constructs.registry.model import OWNER_PATTERN, REPO_PATTERN, WORKDIR_PATTERN, Service
from platform_tools.service_files.templating import render

#: The status check a service PR must pass: ``<caller job> / <job of the reusable workflow>``. The caller's job
#: is ``infra-checks`` and the reusable workflow's deciding job is ``verdict``; rename either and this must follow,
#: or every service PR waits forever for a check that never reports. The one place the name is spelled.
REQUIRED_CHECK_CONTEXT = "infra-checks / verdict"

#: The GitHub Actions app on github.com (``gh api /apps/github-actions --jq .id``). Pinning the required check to
#: it means a commit status of the same name, which anyone with write access can post through the Statuses API,
#: does not satisfy the check. Other hosts (GitHub Enterprise Server) have their own id, so no pin is rendered.
GITHUB_ACTIONS_APP_ID = 15368
PUBLIC_GITHUB = "github.com"

#: Built-in repository role ids that rulesets accept as bypass actors (``RepositoryRole``): 5 is Admin.
REPOSITORY_ADMIN_ROLE_ID = 5

#: Ruleset names: the apply script finds an existing ruleset by name to update it instead of adding a second.
SERVICE_RULESET = "platform-pr-gate"
PLATFORM_MAIN_RULESET = "platform-main"
PLATFORM_TAGS_RULESET = "platform-release-tags"
PLATFORM_TAG_CREATION_RULESET = "platform-release-tag-creation"
RULESET_NAME_PATTERN = r"^[a-z][a-z0-9-]{0,99}$"

#: The release tags: what ``make release`` creates and what callers and module sources pin.
RELEASE_TAGS = "refs/tags/v*"

#: Status checks the platform repository's own default branch requires. Empty: the platform repository has no
#: GitHub-hosted CI workflow yet (``.ci/run`` runs elsewhere), and a required check nobody reports blocks every
#: merge. Add the check's context here once such a workflow exists.
PLATFORM_REQUIRED_CHECKS: tuple[str, ...] = ()

#: Where GitHub reads the code owners from; the first of its three locations, so it wins over the other two.
CODEOWNERS_PATH = ".github/CODEOWNERS"
OUT_MARKER = ".infra-render"
APPLY_SCRIPT = "apply-rulesets.sh"


@dataclass(frozen=True)
class Ruleset:
    """One ruleset for one repository: ``body`` is exactly what the REST API takes."""

    repo: str
    filename: str
    body: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.body["name"])

    def text(self) -> str:
        return json.dumps(self.body, indent=2) + "\n"


@dataclass(frozen=True)
class ServiceFiles:
    """What one service repository gets: the CODEOWNERS to commit and the ruleset to apply."""

    service: str
    codeowners: str
    ruleset: Ruleset

    @property
    def codeowners_sha256(self) -> str:
        return hashlib.sha256(self.codeowners.encode()).hexdigest()


def code_owners(registry: Registry) -> tuple[str, ...]:
    """The platform team as CODEOWNERS names it: ``guardrails.override.team``, else the approvers' logins.

    Refuses when neither is set: a CODEOWNERS without owners makes "require code-owner review" require nothing,
    and the gate would look bound while any writer could change the caller.
    """
    override = registry.guardrails.override
    problems = []
    if override.team:
        org = override.team.split("/", 1)[0]
        if org.lower() != registry.github.owner.lower():
            problems.append(
                Problem(
                    "guardrails.override.team",
                    f"must be a team of the organisation that owns the service repositories ({registry.github.owner})",
                    override.team,
                    f"use {registry.github.owner}/<team-slug>: CODEOWNERS accepts only teams of the repository's owner",
                )
            )
        owners: tuple[str, ...] = (f"@{override.team}",)
    else:
        bad = [a for a in override.approvers if not re.fullmatch(OWNER_PATTERN, a)]
        if bad:
            problems.append(Problem("guardrails.override.approvers", "are not GitHub logins", ",".join(bad)))
        owners = tuple(f"@{login}" for login in override.approvers)
        if not owners:
            problems.append(
                Problem(
                    "guardrails.override.team",
                    "is not set and guardrails.override.approvers is empty, so CODEOWNERS would own nothing and "
                    "the PR gate's files could be changed without the platform team",
                    fix="set guardrails.override.team to the platform team (ORG/TEAM-SLUG, e.g. "
                    f"{registry.github.owner}/platform-team) in platform.yaml, or list the platform engineers' "
                    "logins under guardrails.override.approvers",
                )
            )
    if problems:
        raise ConfigError("github settings", problems)
    return owners


def owned_paths(service: Service) -> tuple[str, ...]:
    """The paths of a service repository only the platform team may approve changes to, as CODEOWNERS patterns.

    ``/.github/`` holds the caller (and any workflow that could report a check of the same name);
    ``infracost.yml`` steers the cost check; the working directory is what the check reads; CODEOWNERS is listed
    in all three places GitHub looks for it, so a second copy cannot take over if the first is removed.
    """
    workdir = service.working_directory
    if not re.fullmatch(WORKDIR_PATTERN, workdir) or any(p in (".", "..") for p in workdir.split("/")):
        # The model validates this already; a registry built without validation must still not inject a line.
        raise ConfigError(
            "github settings",
            [Problem(f"services[{service.name}].working_directory", "is not a relative path", workdir)],
        )
    return ("/.github/", "/" + CODEOWNERS_PATH, "/CODEOWNERS", "/docs/CODEOWNERS", "/infracost.yml", f"/{workdir}/")


def render_codeowners(registry: Registry, service: str) -> str:
    """The service repository's ``.github/CODEOWNERS``: every gate path owned by the platform team."""
    svc = registry.service(service)
    owners = " ".join(code_owners(registry))
    paths = owned_paths(svc)
    width = max(len(p) for p in paths) + 2
    return render(
        "github/CODEOWNERS.j2",
        service=svc,
        lines=[f"{path:<{width}}{owners}" for path in paths],
        ruleset=SERVICE_RULESET,
    )


def _pull_request_rule() -> dict[str, Any]:
    """A reviewed pull request before merge: a code owner approves the head commit, and nobody approves their own
    last push (else a service developer could push after the platform's approval, or approve a teammate's
    change to the caller that they pushed themselves)."""
    return {
        "type": "pull_request",
        "parameters": {
            "required_approving_review_count": 1,
            "require_code_owner_review": True,
            "dismiss_stale_reviews_on_push": True,
            "require_last_push_approval": True,
            "required_review_thread_resolution": False,
        },
    }


def _status_check_rule(contexts: tuple[str, ...], host: str) -> dict[str, Any]:
    """Required checks, strict: the PR branch must be up to date, so the check ran on what will be merged."""
    checks: list[dict[str, Any]] = []
    for context in contexts:
        check: dict[str, Any] = {"context": context}
        if host == PUBLIC_GITHUB:
            check["integration_id"] = GITHUB_ACTIONS_APP_ID
        checks.append(check)
    return {
        "type": "required_status_checks",
        "parameters": {
            "strict_required_status_checks_policy": True,
            "do_not_enforce_on_create": False,
            "required_status_checks": checks,
        },
    }


def _default_branch() -> dict[str, Any]:
    return {"ref_name": {"include": ["~DEFAULT_BRANCH"], "exclude": []}}


def _admins_bypass() -> list[dict[str, Any]]:
    return [{"actor_id": REPOSITORY_ADMIN_ROLE_ID, "actor_type": "RepositoryRole", "bypass_mode": "always"}]


def _repo(registry: Registry, name: str) -> str:
    """``owner/name``, checked again: it becomes part of an API path and a shell argument."""
    owner = registry.github.owner
    if not (re.fullmatch(OWNER_PATTERN, owner) and re.fullmatch(REPO_PATTERN, name)):
        raise ConfigError("github settings", [Problem("repository", "is not a GitHub owner/name", f"{owner}/{name}")])
    return f"{owner}/{name}"


def service_ruleset(registry: Registry, service: str) -> Ruleset:
    """The service repository's default-branch ruleset; no bypass actors, so nobody merges past the gate.

    An override of a blocking finding goes through the check itself (a platform approval turns it green), and an
    admin who must merge regardless has to edit this ruleset, which GitHub records in the ruleset's history.
    """
    svc = registry.service(service)
    body = {
        "name": SERVICE_RULESET,
        "target": "branch",
        "enforcement": "active",
        "bypass_actors": [],
        "conditions": _default_branch(),
        "rules": [
            {"type": "deletion"},
            {"type": "non_fast_forward"},
            _pull_request_rule(),
            _status_check_rule((REQUIRED_CHECK_CONTEXT,), registry.github.host),
        ],
    }
    return Ruleset(_repo(registry, svc.repo), f"ruleset-{svc.name}.json", body)


def platform_rulesets(registry: Registry) -> tuple[Ruleset, ...]:
    """The platform repository's rulesets: its default branch, and its release tags in two parts.

    The default branch lets the repository's admins bypass, because ``make release PUBLISH=1`` pushes the release
    commit and its tag in one atomic push. The tags are split: GitHub applies a ruleset's bypass to all its rules,
    so the rules nobody needs to bypass (deleting or moving a released tag: every caller and module source pins
    it) sit in a ruleset without bypass actors, and only creation is left to the admins.
    """
    repo = _repo(registry, registry.github.platform_repo)
    main_rules: list[dict[str, Any]] = [{"type": "deletion"}, {"type": "non_fast_forward"}, _pull_request_rule()]
    if PLATFORM_REQUIRED_CHECKS:
        main_rules.append(_status_check_rule(PLATFORM_REQUIRED_CHECKS, registry.github.host))
    tags = {"ref_name": {"include": [RELEASE_TAGS], "exclude": []}}
    return (
        Ruleset(
            repo,
            "ruleset-platform-main.json",
            {
                "name": PLATFORM_MAIN_RULESET,
                "target": "branch",
                "enforcement": "active",
                "bypass_actors": _admins_bypass(),
                "conditions": _default_branch(),
                "rules": main_rules,
            },
        ),
        Ruleset(
            repo,
            "ruleset-platform-tags.json",
            {
                "name": PLATFORM_TAGS_RULESET,
                "target": "tag",
                "enforcement": "active",
                "bypass_actors": [],
                "conditions": tags,
                "rules": [{"type": "deletion"}, {"type": "update"}, {"type": "non_fast_forward"}],
            },
        ),
        Ruleset(
            repo,
            "ruleset-platform-tag-creation.json",
            {
                "name": PLATFORM_TAG_CREATION_RULESET,
                "target": "tag",
                "enforcement": "active",
                "bypass_actors": _admins_bypass(),
                "conditions": tags,
                "rules": [{"type": "creation"}],
            },
        ),
    )


def service_files(registry: Registry) -> tuple[ServiceFiles, ...]:
    """CODEOWNERS and ruleset of every registered service; refuses before rendering anything (see code_owners)."""
    code_owners(registry)
    platform = registry.github.platform_repo.lower()
    clash = [s.name for s in registry.services if s.repo.lower() == platform]
    if clash:
        raise ConfigError(
            "github settings",
            [
                Problem(
                    "services[].repo",
                    "is the platform repository itself; its rulesets would replace the platform's own",
                    ", ".join(clash),
                    "register the service's own repository",
                )
            ],
        )
    return tuple(
        ServiceFiles(s.name, render_codeowners(registry, s.name), service_ruleset(registry, s.name))
        for s in registry.services
    )


def render_github_files(registry: Registry, root: Path) -> list[Path]:
    """Under ``root`` (``build/github``): every ruleset body, ``APPLY.md`` and ``apply-rulesets.sh``.

    Replaced as a whole like ``build/services``, so a service that left the registry leaves no ruleset behind that
    an admin could still apply. The CODEOWNERS files go to each service's tree (``render_service_files``).
    """
    services = service_files(registry)
    rulesets = [s.ruleset for s in services] + list(platform_rulesets(registry))
    for ruleset in rulesets:
        if not re.fullmatch(RULESET_NAME_PATTERN, ruleset.name):  # it is matched by name inside the script
            raise ConfigError("github settings", [Problem("ruleset name", "is not a plain name", ruleset.name)])
    context = {
        "host": registry.github.host,
        "platform_repo": _repo(registry, registry.github.platform_repo),
        "services": [(s, registry.service(s.service), s.ruleset.repo) for s in services],
        "platform_rulesets": platform_rulesets(registry),
        "team": registry.guardrails.override.team,
        "check": REQUIRED_CHECK_CONTEXT,
        "pinned_app": registry.github.host == PUBLIC_GITHUB,
        "script": APPLY_SCRIPT,
    }
    written = []
    with staged_tree(
        root, (OUT_MARKER,), command="render", produced_by="rendered by infra", default="build/github"
    ) as scratch:
        scratch.mkdir(parents=True)
        for ruleset in rulesets:
            (scratch / ruleset.filename).write_text(ruleset.text())
            written.append(ruleset.filename)
        (scratch / "APPLY.md").write_text(render("github/APPLY.md.j2", **context))
        script = scratch / APPLY_SCRIPT
        script.write_text(render("github/apply-rulesets.sh.j2", **context))
        script.chmod(0o755)
        written += ["APPLY.md", APPLY_SCRIPT]
        (scratch / OUT_MARKER).write_text("rendered by `infra render`; this folder is replaced on every run\n")
    return [root / name for name in written]
