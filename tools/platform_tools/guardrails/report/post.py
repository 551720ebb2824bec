"""Posting the report: the one guardrails comment on the PR, updated in place on every run."""

from __future__ import annotations

from platform_tools.github.pulls import Comment, PullRequestApi
from platform_tools.guardrails.report.markdown import MARKER


def upsert_comment(gh: PullRequestApi, repo: str, number: int, body: str, marker: str = MARKER) -> tuple[Comment, bool]:
    """Update the PR's guardrails comment in place, or create it; returns ``(comment, created)``.

    The comment is found by the hidden marker on its first line, so a human quoting the report in a reply is
    never mistaken for it. If earlier runs somehow left several, the oldest is updated and the others are left
    alone (deleting people's view of history is not this tool's call).
    """
    if not body.startswith(marker):
        body = f"{marker}\n{body}"
    for comment in gh.list_comments(repo, number):
        if comment.body.startswith(marker):
            return gh.update_comment(repo, comment.id, body), False
    return gh.create_comment(repo, number, body), True
