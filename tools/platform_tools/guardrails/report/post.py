"""Posting the report: the one guardrails comment on the PR, updated in place on every run.

The PR author is an adversary who can comment too: a comment is ours only if the token that posts the report
wrote it, never because of what it says. The hidden marker finds *our* comment among ours; a comment that carries
the marker but was written by someone else is an impostor (a forged "all green" report, say): it is never updated
and never believed, and the real comment says that it exists, so no reader mistakes it for the check's result.
"""

from __future__ import annotations

from dataclasses import dataclass

from platform_tools.github.pulls import Comment, PullRequestApi
from platform_tools.guardrails.report.markdown import MARKER, cell

#: who ``github.token`` writes as: the bot of the GitHub Actions app (a GitHub App's token: ``<app-slug>[bot]``)
ACTIONS_BOT = "github-actions[bot]"


@dataclass(frozen=True)
class Posted:
    comment: Comment
    created: bool
    #: comments carrying the marker that the token did not write: ignored, and named in the posted comment
    impostors: tuple[Comment, ...] = ()


def comment_author(gh: PullRequestApi, configured: str = "") -> str:
    """The login this job's comments are written by: ``GET /user`` when the token has a user, else ``configured``
    (a GitHub App's ``<app-slug>[bot]``), else the GitHub Actions bot (``github.token``)."""
    return gh.token_login() or configured.strip().lstrip("@") or ACTIONS_BOT


def _is_ours(comment: Comment, author: str) -> bool:
    # a bot login ends in "[bot]", which no user can register, so the login alone cannot be forged
    return comment.user.lower() == author.lower()


def impostor_note(impostors: tuple[Comment, ...], author: str) -> str:
    who = ", ".join(sorted({f"@{cell(c.user) if c.user else 'unknown'}" for c in impostors}))
    return (
        f"> ⚠️ {len(impostors)} other comment(s) on this PR look like this report but were not written by the check "
        f"(by {who}). Whatever they say, they are not its result: this comment by @{cell(author)} and the "
        "`infra-checks` status check are."
    )


def upsert_comment(
    gh: PullRequestApi, repo: str, number: int, body: str, *, author: str, marker: str = MARKER
) -> Posted:
    """Update the PR's guardrails comment written by ``author`` in place, or create it.

    The comment is found by the hidden marker on its first line, so a human quoting the report in a reply is
    never mistaken for it, and by its author, so nobody else's comment is. If earlier runs somehow left several,
    the oldest is updated and the others are left alone (deleting people's view of history is not this tool's
    call).
    """
    if not body.startswith(marker):
        body = f"{marker}\n{body}"
    marked = [c for c in gh.list_comments(repo, number) if c.body.startswith(marker)]
    ours = [c for c in marked if _is_ours(c, author)]
    impostors = tuple(c for c in marked if not _is_ours(c, author))
    if impostors:
        rest = body[len(marker) :].lstrip("\n")
        body = f"{marker}\n{impostor_note(impostors, author)}\n\n{rest}"
    if ours:
        return Posted(gh.update_comment(repo, ours[0].id, body), False, impostors)
    return Posted(gh.create_comment(repo, number, body), True, impostors)
