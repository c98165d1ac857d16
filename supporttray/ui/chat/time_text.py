"""When a message was sent, as the person reads it: times, day separators, tooltips."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QLocale, QTime

from supporttray.language.catalogue import _
from supporttray.ui.date_text import date_text


def local_time(timestamp: datetime) -> datetime:
    """A stored (UTC) time in the user's own time zone."""
    return timestamp.astimezone()


def time_text(timestamp: datetime) -> str:
    """`14:05` (or `2:05 PM`, as the user's locale writes times)."""
    local = local_time(timestamp)
    return QLocale.system().toString(
        QTime(local.hour, local.minute), QLocale.FormatType.ShortFormat
    )


def day_text(timestamp: datetime, now: datetime) -> str:
    """`Today`, `Yesterday`, `Monday 5 January` or `5 January 2025` for a day separator."""
    day = local_time(timestamp).date()
    today = local_time(now).date()
    delta = (today - day).days
    if delta == 0:
        return _("Today")
    if delta == 1:
        return _("Yesterday")
    if 1 < delta < 7:
        return date_text(day, _("dddd"))
    if day.year == today.year:
        return date_text(day, _("dddd d MMMM"))
    return date_text(day, _("d MMMM yyyy"))


def full_time_text(timestamp: datetime) -> str:
    local = local_time(timestamp)
    return f"{date_text(local, _('d MMMM yyyy, HH:mm:ss'))} {local:%Z}".strip()

