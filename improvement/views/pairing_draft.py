"""The committee's pairing in progress on a paged pairing page (a company with many weak
stations): only the changes to the proposal are kept, in the session, per company and
month, so that a partner changed on one page is still chosen when the committee checks or
accepts from another. A row nobody changed takes the proposal's partner."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.http import HttpRequest

from improvement import selectors


@dataclass(frozen=True)
class Draft:
    """weak station id → the partner chosen instead of the proposal's (None: no partner)."""

    changes: dict[int, int | None]

    def partner(self, plan: selectors.PairingMonth, weak: int) -> int | None:
        proposed = plan.proposed_partners()
        return self.changes[weak] if weak in self.changes else proposed.get(weak)

    def pairs(self, plan: selectors.PairingMonth) -> list[tuple[int, int]]:
        """(weak, partner) of the whole company: the proposal with the changes made."""
        proposed = plan.proposed_partners()
        pairs = []
        for weak in plan.weak_stations():
            partner = self.changes[weak] if weak in self.changes else proposed.get(weak)
            if partner is not None:
                pairs.append((weak, partner))
        return pairs


def _key(plan: selectors.PairingMonth) -> str:
    run = plan.month.run
    return f"pairing-draft:{run.company_id}:{run.period.isoformat()}"


def _stamp(plan: selectors.PairingMonth) -> str:
    """What the changes were made to: the run, the county option, the stations already
    paired and the proposal itself. Another pairing accepted, the option switched or the
    month re-graded make another proposal, and rows "left as proposed" would silently
    take new partners: the draft is dropped instead."""
    made_from = (
        plan.month.run.pk,
        plan.within_county,
        sorted(plan.busy),
        sorted(plan.proposed_partners().items()),
    )
    return hashlib.sha256(repr(made_from).encode()).hexdigest()[:32]


def load(request: HttpRequest, plan: selectors.PairingMonth) -> Draft:
    """The changes kept for this month's proposal (none when the proposal changed since:
    they were made to another one). A change naming a station that is no longer the
    company's, or a partner paired since, is dropped."""
    kept = request.session.get(_key(plan))
    if not isinstance(kept, dict) or kept.get("stamp") != _stamp(plan):
        return Draft({})
    weak_ids = set(plan.weak_stations())
    changes = {}
    for weak, partner in (kept.get("changes") or {}).items():
        if not str(weak).isdecimal() or int(weak) not in weak_ids:
            continue
        if partner is None or (
            isinstance(partner, int) and partner in plan.stations and partner not in plan.busy
        ):
            changes[int(weak)] = partner
    return Draft(changes)


def save(
    request: HttpRequest, plan: selectors.PairingMonth, draft: Draft, chosen: dict[int, int | None]
) -> Draft:
    """The draft with the choices of one page (weak → partner) applied: a choice equal to
    the proposal's is no change."""
    proposed = plan.proposed_partners()
    changes = dict(draft.changes)
    for weak, partner in chosen.items():
        if partner == proposed.get(weak):
            changes.pop(weak, None)
        else:
            changes[weak] = partner
    request.session[_key(plan)] = {
        "stamp": _stamp(plan),
        "changes": {str(weak): partner for weak, partner in changes.items()},
    }
    return Draft(changes)


def discard(request: HttpRequest, plan: selectors.PairingMonth) -> None:
    request.session.pop(_key(plan), None)
