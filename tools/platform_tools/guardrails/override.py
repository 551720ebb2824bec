"""The override decision: may a platform-team approval waive what blocks a service PR?

This docstring is the one written rule (the workflow, the docs and the tests follow it). The PR author is an
adversary: everything they can set (labels, comments, commits, the timing of pushes) is checked, nothing is taken
on trust. An override is accepted only when all of these hold:

1. **The label.** The PR carries the override label (default ``infra-override``). The label alone does nothing:
   anyone with triage rights can set one.
2. **The scanned commit is the PR's head.** The checks ran on one commit (``--head-sha``, the workflow's
   ``github.event.pull_request.head.sha``); if the PR's live head is another commit, new commits arrived since
   the scan, the check re-runs on them, and this run's verdict stands unwaived. Otherwise a re-run of an old
   scan could borrow an approval given to a newer commit.
3. **An approval of exactly that commit.** The latest counting review of a platform-team member (a login in the
   approver list or a member of the approver team) is ``APPROVED`` with ``commit_id`` equal to the scanned
   commit. GitHub keeps approvals of older commits visible after a push, so "approved after the last push" means
   precisely this; an approval of any earlier commit never counts. A later "changes requested" or a dismissal by
   the same reviewer withdraws the approval, as in GitHub's own review semantics (plain comments do not).
4. **Not the author.** The PR's author never approves their own override, whatever list they are on.

An accepted override waives blocking *findings* only; a check that did not run is never waived (see
:mod:`platform_tools.guardrails.report.model`).
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
    head_sha: str,
    label: str = DEFAULT_LABEL,
    team_client: PullRequestApi | None = None,
) -> Override:
    """Is the merge block of the checks run on ``head_sha`` overridden? Always an :class:`Override` saying why.

    ``team_client`` resolves team members when the PR token cannot (``github.token`` has no ``read:org``).
    """
    scanned = head_sha.strip().lower()
    if not scanned:
        raise ValueError("evaluate_override needs the commit the checks ran on (head_sha)")
    pr = gh.pull_request(repo, number)
    live = pr.head_sha.lower()
    if label not in pr.labels:
        return Override(False, f"the PR has no `{label}` label", label=label, commit=scanned)
    if live != scanned:
        return Override(
            False,
            f"new commits since the scan: this run checked `{scanned[:12]}`, the PR's head is now `{live[:12]}`; "
            "the check re-runs on them, and an approval must be given on that commit",
            label=label,
            label_present=True,
            commit=scanned,
        )
    allowed = approvers.resolve(team_client or gh)
    if not allowed:
        return Override(
            False,
            "no platform-team approvers are configured, so no one can approve an override",
            label=label,
            label_present=True,
            commit=scanned,
        )
    latest = latest_reviews(gh.reviews(repo, number))
    candidates = [r for u, r in latest.items() if u in allowed and u != pr.author.lower()]
    for r in sorted(candidates, key=lambda r: r.submitted_at):
        if r.state == "APPROVED" and r.commit_id.lower() == scanned:
            return Override(
                True,
                "label and platform-team approval on the checked commit",
                label=label,
                label_present=True,
                approver=r.user,
                approved_at=r.submitted_at,
                commit=scanned,
                review_url=r.url,
            )
    stale = [r for r in candidates if r.state == "APPROVED"]
    others = [r.user for u, r in latest.items() if r.state == "APPROVED" and u not in allowed]
    if stale:
        reason = (
            f"@{stale[0].user} approved commit `{stale[0].commit_id[:12]}`, not the checked commit "
            f"`{scanned[:12]}`: an approval covers only the commit it was given on, so new commits need a new approval"
        )
    elif others:
        reason = f"approval by {', '.join('@' + o for o in others)}, who is not on the platform team"
    else:
        reason = "no approving review by a platform-team member"
    return Override(False, reason, label=label, label_present=True, commit=scanned)
