"""Who gets a question sent to "whoever is available": pure, so every tie can be tested."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from supporttray.core.jid import bare_jid
from supporttray.core.presence import Availability, StaffMember
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence

NOBODY_ONLINE = N_(
    "No one is online — your question will be delivered and answered as soon as someone is"
)

# A state inside a sentence ("Bob is away"), lower case as English writes it there.
_STATE_WORDS = {
    Availability.AVAILABLE: N_("available"),
    Availability.AWAY: N_("away"),
    Availability.BUSY: N_("busy"),
    Availability.OFFLINE: N_("offline"),
}


@dataclass(frozen=True)
class RouteDecision:
    """Where the question goes, and the sentence the ask window shows about it."""

    to: str  # bare JID
    reason: Sentence  # English for `supporttray ask`, translated in the ask window
    nobody_online: bool  # no staff member is online: the answer may take a while


def choose_staff(
    members: Sequence[StaffMember], *, last_talked: Mapping[str, datetime], now: datetime
) -> StaffMember | None:
    """The best person to ask: available before away before busy before offline; among
    equals the one talked to most recently, then the one idle the shortest time (not idle
    counts as shortest), then by name. None only when there is nobody at all: with nobody
    online someone is still picked, as the server keeps the message for them."""
    talked = {bare_jid(jid): when for jid, when in last_talked.items()}

    def order(member: StaffMember) -> tuple[int, int, float, int, str, str]:
        when = talked.get(bare_jid(member.jid))
        return (
            member.availability.rank,
            0 if when is not None else 1,  # someone the user talked to before anyone else
            -when.timestamp() if when is not None else 0.0,  # ... the most recent first
            member.idle_seconds(now) or 0,
            member.name.casefold(),
            member.jid,
        )

    return min(members, key=order, default=None)


def route(
    members: Sequence[StaffMember],
    *,
    last_talked: Mapping[str, datetime],
    now: datetime,
    fallback: str = "",
    preferred: str | None = None,
) -> RouteDecision | None:
    """Decide where a question goes. A person the user picked always gets it; otherwise the
    best staff member, or -- when nobody is online and policy names one (support.fallback) --
    the shared fallback account. None when there is no one to send to at all."""
    nobody_online = all(m.availability is Availability.OFFLINE for m in members)
    if preferred and preferred.strip():
        to = bare_jid(preferred)
        chosen = next((m for m in members if bare_jid(m.jid) == to), None)
        return RouteDecision(to, _chosen_reason(to, chosen), nobody_online)
    if nobody_online and fallback.strip():
        return RouteDecision(bare_jid(fallback), Sentence(NOBODY_ONLINE), True)
    best = choose_staff(members, last_talked=last_talked, now=now)
    if best is None:
        return None
    return RouteDecision(bare_jid(best.jid), _best_reason(best), nobody_online)


def _best_reason(member: StaffMember) -> Sentence:
    if member.availability is Availability.AVAILABLE:
        return Sentence(N_("{name} is available"), {"name": member.name})
    if member.availability is Availability.OFFLINE:
        return Sentence(NOBODY_ONLINE)
    return Sentence(N_("No one is available right now — {name} is {state} and will see it"),
                    {"name": member.name, "state": _state(member)})


def _chosen_reason(to: str, member: StaffMember | None) -> Sentence:
    if member is None:
        return Sentence(N_("Your question goes to {to}"), {"to": to})
    if member.availability is Availability.OFFLINE:
        return Sentence(
            N_("{name} is offline — your question will be delivered when they are back"),
            {"name": member.name})
    return Sentence(N_("{name} is {state}"), {"name": member.name, "state": _state(member)})


def _state(member: StaffMember) -> Sentence:
    return Sentence(_STATE_WORDS[member.availability])
