"""The words the tray, its menu and the status window use for presence (Qt-free: unit-testable)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from supporttray.core.connection import ConnectionState, ConnectionStatus
from supporttray.core.durations import duration_text
from supporttray.core.jid import bare_jid, local_part
from supporttray.core.presence import PresenceBook, StaffMember, SupportSummary
from supporttray.core.text import one_line
from supporttray.language.catalogue import _, ngettext

# A status message is someone else's free text: keep one menu line from growing across the screen.
STATUS_MAX_CHARS = 60
SEPARATOR = " · "


def idle_text(seconds: int | None) -> str:
    """`idle 12 min`, `idle 2 h 5 min`, `idle 3 days`; '' when not idle or idle under a minute.

    Under a minute is noise: clients report a few seconds of idleness all the time.
    """
    duration = duration_text(seconds) if seconds is not None else ""
    return _("idle {duration}").format(duration=duration) if duration else ""


def summary_sentence(summary: SupportSummary) -> str:
    """`1 of 3 support staff available`, in the user's language (core's `sentence()` is the
    English one for `status --json`)."""
    if summary.total == 0:
        return _("No support staff configured")
    if summary.available:
        return ngettext("{available} of {total} support staff available",
                        "{available} of {total} support staff available", summary.available
                        ).format(available=summary.available, total=summary.total)
    if summary.away or summary.busy:
        parts = []
        if summary.away:
            parts.append(_("{count} away").format(count=summary.away))
        if summary.busy:
            parts.append(_("{count} busy").format(count=summary.busy))
        return _("No support staff available ({counts})").format(counts=", ".join(parts))
    return _("No support staff online")


def local_time_text(local: datetime | None) -> str:
    """`14:05 local`, or '' when we do not know their clock."""
    if local is None:
        return ""
    return _("{time} local").format(time=f"{local:%H:%M}")


@dataclass(frozen=True)
class StaffRow:
    """One staff member as text pieces; the views arrange them (menu: one line, window: two)."""

    name: str
    availability: str
    status: str
    idle: str
    local_time: str

    def details(self) -> str:
        """`Available · “In the office” · idle 12 min` (no name, no local time)."""
        parts = [self.availability]
        if self.status:
            parts.append(f"“{self.status}”")
        if self.idle:
            parts.append(self.idle)
        return SEPARATOR.join(parts)

    def line(self) -> str:
        """`Alice — Available · “In the office” · idle 12 min · 14:05 local`."""
        text = f"{self.name} — {self.details()}"
        if self.local_time:
            text += SEPARATOR + self.local_time
        return text


def staff_row(member: StaffMember, now: datetime) -> StaffRow:
    """The text pieces for one staff member at time `now`."""
    return StaffRow(
        name=member.name,
        availability=member.availability.label,
        status=one_line(member.status, STATUS_MAX_CHARS),
        idle=idle_text(member.idle_seconds(now)),
        local_time=local_time_text(member.local_time(now)),
    )


def next_text_change(members: Iterable[StaffMember], now: datetime) -> timedelta | None:
    """How long until an idle time or a local time in the staff rows reads differently (both
    count whole minutes); None when no row shows either, and nothing needs redrawing on a clock.
    """
    waits: list[float] = []
    for member in members:
        idle = member.idle_seconds(now)
        if idle is not None:
            waits.append(60 - idle % 60)
        if member.local_time(now) is not None:
            waits.append(60 - now.second - now.microsecond / 1e6)
    return timedelta(seconds=min(waits)) if waits else None


def staff_line(member: StaffMember, now: datetime) -> str:
    """One line for a menu entry or a screen reader."""
    return staff_row(member, now).line()


def connection_problem(status: ConnectionStatus) -> str:
    """What is wrong with our own connection, or '' when we are online."""
    if status.state is ConnectionState.ONLINE:
        return ""
    return status.describe()


def unread_text(count: int) -> str:
    if count <= 0:
        return ""
    return ngettext("{count} unread message", "{count} unread messages", count).format(count=count)


def tray_tooltip(
    app_name: str, summary: SupportSummary, status: ConnectionStatus, unread: int = 0,
    *, waiting: int = 0,
) -> str:
    """`SupportTray — 2 of 3 support staff available`, then a line per problem, requests
    nobody has taken (staff) and unread count."""
    lines = [f"{app_name} — {summary_sentence(summary)}"]
    problem = connection_problem(status)
    if problem:
        lines.append(problem)
    if waiting:
        lines.append(ngettext("{count} request nobody has taken yet",
                              "{count} requests nobody has taken yet", waiting
                              ).format(count=waiting))
    unread_line = unread_text(unread)
    if unread_line:
        lines.append(unread_line)
    return "\n".join(lines)


def requests_menu_text(open_count: int, unclaimed: int) -> str:
    """The staff tray menu's entry: `Requests…`, `Requests (3 open, 2 not taken)…`."""
    if not open_count:
        return _("Requests…")
    if unclaimed == open_count:
        return _("Requests ({count} waiting)…").format(count=open_count)
    return _("Requests ({open} open, {unclaimed} not taken)…").format(
        open=open_count, unclaimed=unclaimed)


def menu_text(text: str) -> str:
    """Text for a QAction label: a literal '&' (as in "R&D desk") must not become a mnemonic."""
    return text.replace("&", "&&")


def display_name(book: PresenceBook | None, jid: str) -> str:
    """A staff member's name from the book; anyone else by the user part of their address."""
    if book is not None:
        return book.display_name(jid)
    return local_part(bare_jid(jid)) or jid
