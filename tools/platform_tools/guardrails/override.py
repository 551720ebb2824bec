"""The override decision: may a platform-team approval waive what blocks a service PR?

Rule (kept here so the workflow, the docs and the tests agree on one definition): the PR carries the override
label (default ``infra-override``) **and** its latest review from a platform-team member is an approval *of the
current head commit*. A label alone does nothing (anyone with triage rights can set one); an approval of an older
commit does not cover code pushed after it; a later "changes requested" or a dismissal by the same reviewer
withdraws the approval, as in GitHub's own review semantics; the PR's author never approves their own override.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the types only: deciding an override needs no HTTP code loaded until a client is made
    from platform_tools.github.pulls import PullRequestApi, Review

DEFAULT_LABEL = "infra-override"


@dataclass(frozen=True)
class Override:
    """The outcome of the override check, accepted or not, as the comment must record it."""

    accepted: bool
    reason: str
    label: str = "infra-override"
    label_present: bool = False
    approver: str = ""
    approved_at: str = ""
    commit: str = ""
    review_url: str = ""


@dataclass(frozen=True)
class Approvers:
    """Who may approve an override: named users, and/or the members of one GitHub team."""

    users: frozenset[str] = frozenset()
    org: str = ""
    team: str = ""

    def resolve(self, gh: PullRequestApi) -> frozenset[str]:
        names = {u.lower() for u in self.users}
        if self.team:
            names |= {m.lower() for m in gh.team_members(self.org, self.team)}
        return frozenset(names)


def latest_reviews(reviews: Iterable[Review]) -> dict[str, Review]:
    """Each reviewer's latest review that counts; a plain comment does not replace an approval."""
    latest: dict[str, Review] = {}
    for r in sorted(reviews, key=lambda r: (r.submitted_at, r.id)):
        if r.state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[r.user.lower()] = r
    return latest


def evaluate_override(
    gh: PullRequestApi,
    repo: str,
    number: int,
    approvers: Approvers,
    *,
    label: str = DEFAULT_LABEL,
    team_client: PullRequestApi | None = None,
) -> Override:
    """Is the merge block overridden? Always returns an :class:`Override` saying why or why not.

    ``team_client`` resolves team members when the PR token cannot (``github.token`` has no ``read:org``).
    """
    pr = gh.pull_request(repo, number)
    has_label = label in pr.labels
    if not has_label:
        return Override(False, f"the PR has no `{label}` label", label=label, commit=pr.head_sha)
    allowed = approvers.resolve(team_client or gh)
    if not allowed:
        return Override(
            False,
            "no platform-team approvers are configured, so no one can approve an override",
            label=label,
            label_present=True,
            commit=pr.head_sha,
        )
    latest = latest_reviews(gh.reviews(repo, number))
    candidates = [r for u, r in latest.items() if u in allowed and u != pr.author.lower()]
    for r in sorted(candidates, key=lambda r: r.submitted_at):
        if r.state == "APPROVED" and r.commit_id == pr.head_sha:
            return Override(
                True,
                "label and platform-team approval on the head commit",
                label=label,
                label_present=True,
                approver=r.user,
                approved_at=r.submitted_at,
                commit=pr.head_sha,
                review_url=r.url,
            )
    stale = [r for r in candidates if r.state == "APPROVED"]
    others = [r.user for u, r in latest.items() if r.state == "APPROVED" and u not in allowed]
    if stale:
        reason = (
            f"@{stale[0].user} approved commit `{stale[0].commit_id[:12]}`, not the head commit "
            f"`{pr.head_sha[:12]}`: new commits need a new approval"
        )
    elif others:
        reason = f"approval by {', '.join('@' + o for o in others)}, who is not on the platform team"
    else:
        reason = "no approving review by a platform-team member"
    return Override(False, reason, label=label, label_present=True, commit=pr.head_sha)
