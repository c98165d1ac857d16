"""Who of the support staff is reachable: the PresenceBook and the summary the tray shows."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from supporttray.core.clock import Clock, utc_now
from supporttray.core.jid import bare_jid, local_part, resource_of
from supporttray.core.listeners import Listeners
from supporttray.language.catalogue import N_, _


class Availability(enum.Enum):
    """What a person is, for someone who needs help: best first."""

    AVAILABLE = "available"
    AWAY = "away"
    BUSY = "busy"
    OFFLINE = "offline"

    @property
    def rank(self) -> int:
        """0 is best; used to order people and to pick the best of several resources."""
        return _RANK[self]

    @classmethod
    def from_show(cls, show: str | None) -> Availability:
        """Map an XMPP `<show/>` value (or presence type 'unavailable') to an availability."""
        return _SHOW.get((show or "").strip().lower(), cls.AVAILABLE)

    @property
    def label(self) -> str:
        return _(_LABEL[self])


_RANK = {
    Availability.AVAILABLE: 0,
    Availability.AWAY: 1,
    Availability.BUSY: 2,
    Availability.OFFLINE: 3,
}
_SHOW = {
    "": Availability.AVAILABLE,
    "available": Availability.AVAILABLE,
    "chat": Availability.AVAILABLE,
    "away": Availability.AWAY,
    "xa": Availability.AWAY,
    "dnd": Availability.BUSY,
    "busy": Availability.BUSY,
    "unavailable": Availability.OFFLINE,
    "offline": Availability.OFFLINE,
}
_LABEL = {
    Availability.AVAILABLE: N_("Available"),
    Availability.AWAY: N_("Away"),
    Availability.BUSY: N_("Busy"),
    Availability.OFFLINE: N_("Offline"),
}


@dataclass(frozen=True)
class ResourcePresence:
    """One connected client of a staff member."""

    resource: str
    availability: Availability
    status: str = ""
    priority: int = 0
    idle_since: datetime | None = None
    back_at: datetime | None = None  # off duty: on call again then (their on-call hours)


@dataclass(frozen=True)
class StaffMember:
    """A support person as the requester sees them: the best of all their resources."""

    jid: str
    name: str
    availability: Availability = Availability.OFFLINE
    status: str = ""
    idle_since: datetime | None = None
    # Their clock's offset from UTC (XEP-0202), so we can show their local time.
    utc_offset: timedelta | None = None
    # Off duty: when their on-call hours begin again (kept while they are offline, like the
    # status text), None otherwise.
    back_at: datetime | None = None
    resources: tuple[ResourcePresence, ...] = field(default=(), compare=False)

    def idle_seconds(self, now: datetime) -> int | None:
        if self.idle_since is None or self.availability is Availability.OFFLINE:
            return None
        return max(0, int((now - self.idle_since).total_seconds()))

    def local_time(self, now: datetime) -> datetime | None:
        """Their wall-clock time now, as an aware datetime in their offset."""
        if self.utc_offset is None:
            return None
        from datetime import timezone

        return now.astimezone(timezone(self.utc_offset))


@dataclass(frozen=True)
class SupportSummary:
    """What the tray icon says at a glance."""

    availability: Availability
    available: int
    away: int
    busy: int
    total: int

    def sentence(self) -> str:
        """In English, for `status --json` and the log; windows use ui.presence_text's
        `summary_sentence`, in the user's language with its plural forms."""
        if self.total == 0:
            return "No support staff configured"
        if self.available:
            return f"{self.available} of {self.total} support staff available"
        if self.away or self.busy:
            parts = []
            if self.away:
                parts.append(f"{self.away} away")
            if self.busy:
                parts.append(f"{self.busy} busy")
            return f"No support staff available ({', '.join(parts)})"
        return "No support staff online"


@dataclass(frozen=True)
class BookChanged:
    """Some staff members changed; `jids` names them (every member if the whole book changed)."""

    jids: frozenset[str]


class PresenceBook:
    """Every staff member named by policy, offline until a presence says otherwise."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock
        self._members: dict[str, StaffMember] = {}
        self._resources: dict[str, dict[str, ResourcePresence]] = {}
        self.changed: Listeners[BookChanged] = Listeners()
        self._batch_depth = 0
        self._pending: set[str] = set()

    # -- who is staff ---------------------------------------------------------------------
    def add_staff(self, jid: str, name: str = "") -> None:
        key = bare_jid(jid)
        if key in self._members:
            if name and name != self._members[key].name:
                self._members[key] = replace(self._members[key], name=name)
                self._changed(key)
            return
        self._members[key] = StaffMember(jid=key, name=name or local_part(key))
        self._resources[key] = {}
        self._changed(key)

    def remove_staff(self, jid: str) -> None:
        key = bare_jid(jid)
        if self._members.pop(key, None) is not None:
            self._resources.pop(key, None)
            self._changed(key)

    def is_staff(self, jid: str) -> bool:
        return bare_jid(jid) in self._members

    def set_name(self, jid: str, name: str) -> None:
        key = bare_jid(jid)
        if key in self._members and name and self._members[key].name != name:
            self._members[key] = replace(self._members[key], name=name)
            self._changed(key)

    # -- what they are doing --------------------------------------------------------------
    def update(
        self,
        full_jid: str,
        availability: Availability,
        status: str = "",
        priority: int = 0,
        idle_since: datetime | None = None,
        back_at: datetime | None = None,
    ) -> None:
        """Record one resource's presence; OFFLINE removes that resource."""
        key = bare_jid(full_jid)
        if key not in self._members:
            return
        resource = resource_of(full_jid)
        resources = self._resources[key]
        if availability is Availability.OFFLINE:
            if resource:
                resources.pop(resource, None)
            else:
                resources.clear()
            if not resources:
                # Keep the last status text ("Back Monday") for an offline person.
                self._members[key] = replace(
                    self._members[key], availability=Availability.OFFLINE,
                    status=status or self._members[key].status, idle_since=None, resources=(),
                    back_at=back_at or self._members[key].back_at,
                )
                self._changed(key)
                return
        else:
            resources[resource] = ResourcePresence(
                resource, availability, status, priority, idle_since, back_at
            )
        self._recompute(key)

    def set_utc_offset(self, jid: str, offset: timedelta | None) -> None:
        key = bare_jid(jid)
        if key in self._members and self._members[key].utc_offset != offset:
            self._members[key] = replace(self._members[key], utc_offset=offset)
            self._changed(key)

    def clear_presences(self) -> None:
        """We lost our own connection: nobody is known to be online any more."""
        with self.batch():
            for key in self._members:
                self._resources[key].clear()
                member = self._members[key]
                if member.availability is not Availability.OFFLINE:
                    # What they said while we could see them is stale now: drop it.
                    self._members[key] = replace(
                        member, availability=Availability.OFFLINE, status="", idle_since=None,
                        resources=(), back_at=None,
                    )
                    self._changed(key)

    # -- reading --------------------------------------------------------------------------
    def member(self, jid: str) -> StaffMember | None:
        return self._members.get(bare_jid(jid))

    def display_name(self, jid: str) -> str:
        """A staff member's name from the book; anyone else by the user part of their address."""
        member = self.member(jid)
        if member is not None and member.name:
            return member.name
        return local_part(bare_jid(jid)) or jid

    def members(self) -> list[StaffMember]:
        """Best availability first, then by name."""
        return sorted(
            self._members.values(), key=lambda m: (m.availability.rank, m.name.lower(), m.jid)
        )

    def summary(self) -> SupportSummary:
        counts = {a: 0 for a in Availability}
        for member in self._members.values():
            counts[member.availability] += 1
        best = min(
            (m.availability for m in self._members.values()),
            key=lambda a: a.rank,
            default=Availability.OFFLINE,
        )
        return SupportSummary(
            availability=best,
            available=counts[Availability.AVAILABLE],
            away=counts[Availability.AWAY],
            busy=counts[Availability.BUSY],
            total=len(self._members),
        )

    def now(self) -> datetime:
        return self._clock()

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Coalesce the changes made inside into one BookChanged (a presence flood at login)."""
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
            if self._batch_depth == 0 and self._pending:
                jids, self._pending = frozenset(self._pending), set()
                self.changed.emit(BookChanged(jids))

    # -- internals ------------------------------------------------------------------------
    def _recompute(self, key: str) -> None:
        resources = self._resources[key].values()
        best = min(resources, key=lambda r: (r.availability.rank, -r.priority))
        member = replace(
            self._members[key],
            availability=best.availability,
            status=best.status,
            idle_since=best.idle_since,
            back_at=best.back_at,
            resources=tuple(sorted(resources, key=lambda r: r.resource)),
        )
        if member != self._members[key] or member.resources != self._members[key].resources:
            self._members[key] = member
            self._changed(key)

    def _changed(self, key: str) -> None:
        if self._batch_depth:
            self._pending.add(key)
        else:
            self.changed.emit(BookChanged(frozenset({key})))
