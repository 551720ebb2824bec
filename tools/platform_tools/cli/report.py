"""``infra report`` (write the combined comment) and ``infra report post`` (also upsert it on the PR).

Both exit 0 when nothing blocks (or an accepted override covers it) and 3 when something blocks, so the
workflow step that runs them *is* the required status check. ``post`` writes the comment before it returns
the exit code: the team always sees why the check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from platform_constructs.errors import ConfigError, Problem
from platform_tools.cli.common import decimal
from platform_tools.guardrails.cis import SEVERITIES
from platform_tools.guardrails.report.model import CHECKS

if TYPE_CHECKING:
    from platform_tools.github.pulls import PullRequestApi
    from platform_tools.guardrails.override import Override
    from platform_tools.guardrails.report.assemble import Inputs
    from platform_tools.guardrails.report.model import Report

APPROVERS_ENV = "INFRA_OVERRIDE_APPROVERS"
#: A token with read:org, used only to list the approver team's members (github.token cannot).
TEAM_TOKEN_ENV = "INFRA_TEAM_TOKEN"
#: The bot login of a GitHub App token (``<app-slug>[bot]``), which ``GET /user`` cannot tell.
COMMENT_AUTHOR_ENV = "INFRA_COMMENT_AUTHOR"


def _inputs(args: argparse.Namespace) -> Inputs:
    from platform_tools.guardrails.report.assemble import Inputs

    return Inputs(
        trivy=tuple(Path(p) for p in args.trivy) if args.trivy else None,
        checkov=tuple(Path(p) for p in args.checkov) if args.checkov else None,
        policy=tuple(Path(p) for p in args.policy or ()),
        cost=Path(args.infracost) if args.infracost else None,
        disabled=frozenset(d for item in args.disable or () for d in item.split(",") if d),
    )


def _build(args: argparse.Namespace, override: Override | None) -> Report:
    from platform_tools.guardrails.cost import cost_thresholds, thresholds_from_platform
    from platform_tools.guardrails.report.assemble import build_report

    # the registry's guardrails.cost section (all five knobs) when --platform is given; explicit flags win
    base = thresholds_from_platform(Path(args.platform)) if args.platform else None
    flags: dict[str, Decimal] = {}
    for name in ("warn_percent", "block_percent"):
        value = getattr(args, name)
        if value is not None:
            try:
                flags[name] = decimal(value)
            except argparse.ArgumentTypeError as err:
                flag = "--" + name.replace("_", "-")
                raise ConfigError(
                    "infra report", [Problem(flag, "is not a number", value, "for example 10 or 12.5")]
                ) from err
    return build_report(
        _inputs(args),
        threshold=args.threshold,
        override=override,
        head_sha=args.head_sha or "",
        guide_url=args.guide_url or "",
        cost_thresholds=cost_thresholds(flags, base=base, source="infra report") if flags else base,
    )


def _write_outputs(args: argparse.Namespace, report: Report, markdown: str) -> None:
    if args.out:
        Path(args.out).write_text(markdown, encoding="utf-8")
    else:
        sys.stdout.write(markdown)
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_dict(), indent=2) + "\n", encoding="utf-8")
    summary = os.environ.get("GITHUB_STEP_SUMMARY") if args.step_summary else None
    if summary:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(markdown + "\n")


def cmd_report(args: argparse.Namespace) -> int:
    from platform_tools.guardrails.report.markdown import render_markdown

    report = _build(args, None)
    _write_outputs(args, report, render_markdown(report))
    return report.exit_code


def approvers_from(args: argparse.Namespace) -> tuple[frozenset[str], str, str]:
    """Users from ``--approver`` and ``$INFRA_OVERRIDE_APPROVERS``; a team from ``--approver-team org/slug``."""
    users = {u.strip().lstrip("@") for u in args.approver or () if u.strip()}
    users |= {u.strip().lstrip("@") for u in os.environ.get(APPROVERS_ENV, "").split(",") if u.strip()}
    org = team = ""
    if args.approver_team:
        org, _, team = args.approver_team.partition("/")
        if not org or not team:
            raise ConfigError(
                "infra report post",
                [Problem("--approver-team", "must be ORG/TEAM-SLUG", args.approver_team, "e.g. acme/platform")],
            )
    return frozenset(users), org, team


def scanned_commit(value: str | None) -> str:
    """The commit the checks ran on, which the override is judged against: required, a full SHA.

    Without it the override would be judged against whatever the PR's head is by the time the report runs, which
    may be a commit these checks never saw.
    """
    sha = (value or "").strip().lower()
    if not sha:
        raise ConfigError(
            "infra report post",
            [
                Problem(
                    "--head-sha",
                    "is required: an override is only judged against the commit the checks ran on",
                    None,
                    "pass the scanned commit (in the workflow: ${{ github.event.pull_request.head.sha }})",
                )
            ],
        )
    if not re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", sha):
        raise ConfigError(
            "infra report post",
            [
                Problem(
                    "--head-sha", "is not a full commit SHA", value, "pass all 40 hex digits, not a branch or a prefix"
                )
            ],
        )
    return sha


def cmd_report_post(args: argparse.Namespace) -> int:
    from platform_tools.github.client import GitHubClient, GitHubError
    from platform_tools.github.pulls import RestPullRequests
    from platform_tools.guardrails.override import Approvers, Override, evaluate_override
    from platform_tools.guardrails.report.markdown import render_markdown

    repo = args.repo or os.environ.get("GITHUB_REPOSITORY", "")
    if not repo or "/" not in repo:
        raise ConfigError(
            "infra report post", [Problem("--repo", "must be OWNER/NAME", repo, "pass --repo or set GITHUB_REPOSITORY")]
        )
    head_sha = scanned_commit(args.head_sha)
    client = GitHubClient.from_env(args.api_url, token_env="GITHUB_TOKEN")
    gh = RestPullRequests(client)
    users, org, team = approvers_from(args)
    team_token = os.environ.get(TEAM_TOKEN_ENV, "")
    team_client = RestPullRequests(GitHubClient(team_token, client.api_url)) if team_token else None
    try:
        override = evaluate_override(
            gh,
            repo,
            args.pr,
            Approvers(users, org, team),
            head_sha=head_sha,
            label=args.override_label,
            team_client=team_client,
        )
    except GitHubError as err:
        # the report must still be written and posted: the team sees why the check failed, and that the
        # override could not be decided (so it counts as not granted)
        override = Override(False, f"could not be evaluated: {err}", label=args.override_label, commit=head_sha)
    args.head_sha = head_sha
    report = _build(args, override)
    markdown = render_markdown(report)
    _write_outputs(args, report, markdown)
    try:
        _post_comment(gh, repo, args.pr, markdown, args.comment_author or os.environ.get(COMMENT_AUTHOR_ENV, ""))
    except GitHubError as err:
        if not args.comment_optional:
            raise
        print(f"warning: comment not posted ({err}); the report is in the job summary", file=sys.stderr)
    if report.overridden:
        print(f"override accepted: approved by {override.approver} at {override.approved_at}", file=sys.stderr)
    elif override.accepted and report.not_run:
        names = ", ".join(c.name for c in report.not_run)
        print(f"override approved but not applied: {names} did not run, and no override waives that", file=sys.stderr)
    return report.exit_code


def _post_comment(gh: PullRequestApi, repo: str, number: int, markdown: str, configured: str) -> None:
    """Upsert the comment as the token's own, and say in the job log what a reader of the PR cannot see."""
    from platform_tools.guardrails.report.post import comment_author, upsert_comment

    author = comment_author(gh, configured)
    wanted = configured.strip().lstrip("@")
    if wanted and wanted.lower() != author.lower():
        print(
            f"warning: the token is @{author} (GET /user), so the comment author {wanted!r} is ignored", file=sys.stderr
        )
    posted = upsert_comment(gh, repo, number, markdown, author=author)
    for c in posted.impostors:
        print(
            f"warning: comment {c.id} by @{c.user} starts with the infra-checks marker but was not written by this "
            f"job's token (@{author}): ignored, never updated, and named as not the check's result in ours",
            file=sys.stderr,
        )
    written_by = posted.comment.user
    if written_by and written_by.lower() != author.lower():
        print(
            f"warning: GitHub wrote comment {posted.comment.id} as @{written_by}, not @{author}: set --comment-author "
            f"(or ${COMMENT_AUTHOR_ENV}) to {written_by}; until then each run adds a comment instead of updating one",
            file=sys.stderr,
        )
    action = "created" if posted.created else "updated"
    print(f"{action} comment {posted.comment.id} on {repo}#{number} as @{author}", file=sys.stderr)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--trivy", action="append", help="trivy `config --format json` output (repeatable: one result)")
    p.add_argument("--checkov", action="append", help="checkov `-o json` output (repeatable: one result)")
    p.add_argument("--policy", action="append", help="policy runner (conftest JSON) output; repeatable, one per plan")
    p.add_argument("--infracost", help="Infracost `--format json` output (breakdown or diff)")
    p.add_argument(
        "--disable",
        action="append",
        help=f"a check switched off on purpose, shown as off and not blocking ({', '.join(CHECKS)}; repeatable)",
    )
    p.add_argument(
        "--threshold",
        default="HIGH",
        type=str.upper,
        help=f"lowest scanner severity that blocks ({', '.join(SEVERITIES)}; default HIGH)",
    )
    p.add_argument("--platform", help="platform.yaml whose guardrails.cost thresholds judge the Infracost output")
    p.add_argument("--warn-percent", help="cost increase that warns (default: --platform's, else 10)")
    p.add_argument("--block-percent", help="cost increase that blocks (default: --platform's, else 30)")
    p.add_argument(
        "--head-sha",
        help="the commit the checks ran on, shown as the checked commit; required by `post`, whose override must be "
        "approved on exactly this commit",
    )
    p.add_argument("--guide-url", help="link to the service-team guide, shown in the footer")
    p.add_argument("--out", help="write the markdown here instead of stdout")
    p.add_argument("--json", help="also write a machine-readable summary (audit record) here")
    p.add_argument(
        "--step-summary", action="store_true", help="also append the markdown to $GITHUB_STEP_SUMMARY (in Actions)"
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="combine trivy, checkov, policy and Infracost results into one PR comment (exit 3 if blocking)",
    )
    _common(p)
    p.set_defaults(func=cmd_report)
    rsub = p.add_subparsers(dest="report_command")
    post = rsub.add_parser("post", help="also evaluate the override and upsert the comment on the pull request")
    _common(post)
    post.add_argument("--repo", help="OWNER/NAME (default: $GITHUB_REPOSITORY)")
    post.add_argument("--pr", type=int, required=True, help="pull request number")
    post.add_argument("--api-url", help="GitHub API base URL (default: $GITHUB_API_URL, else api.github.com)")
    post.add_argument("--override-label", default="infra-override", help="label that requests an override")
    post.add_argument("--approver", action="append", help="GitHub login allowed to approve an override; repeatable")
    post.add_argument("--approver-team", help="ORG/TEAM-SLUG whose members may approve (needs a read:org token)")
    post.add_argument(
        "--comment-author",
        help="login the token writes comments as when GET /user cannot tell: a GitHub App token's <app-slug>[bot] "
        f"(default: ${COMMENT_AUTHOR_ENV}, else github-actions[bot], the bot of github.token)",
    )
    post.add_argument(
        "--comment-optional",
        action="store_true",
        help="a refused comment (fork PRs get a read-only token) is a warning, not an error",
    )
    post.set_defaults(func=cmd_report_post)
