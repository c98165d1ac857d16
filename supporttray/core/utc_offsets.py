"""A clock's offset from UTC as text: `+05:30` on the wire (XEP-0202), `UTC+05:30` for people."""

from __future__ import annotations

from datetime import datetime


def offset_text(offset_seconds: float) -> str:
    """3600 -> "+01:00"; -12600 -> "-03:30" (rounded to the minute)."""
    sign = "-" if offset_seconds < 0 else "+"
    minutes = round(abs(offset_seconds) / 60)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def utc_offset_text(offset_seconds: float) -> str:
    """3600 -> "UTC+01:00"."""
    return "UTC" + offset_text(offset_seconds)


def utc_offset_of(moment: datetime) -> str:
    """The offset `moment` carries, "UTC+01:00"; a naive moment counts as UTC."""
    delta = moment.utcoffset()
    return utc_offset_text(delta.total_seconds() if delta is not None else 0.0)
