"""How long something lasted, in words: idle and waiting times, uptime, battery time left.

One home for splitting seconds into days, hours and minutes; the two wordings below are the
two places a duration is read (a tray line, and a system-info value sent to the staff).
"""

from __future__ import annotations

from supporttray.language.catalogue import _, ngettext


def _days_hours_minutes(seconds: float) -> tuple[int, int, int]:
    minutes = int(max(0.0, seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    return days, hours, minutes


def duration_text(seconds: float) -> str:
    """`12 min`, `2 h 5 min`, `2 h`, `1 day`, `3 days`; '' under a minute (idle, waiting)."""
    days, hours, minutes = _days_hours_minutes(seconds)
    if days:
        return ngettext("{days} day", "{days} days", days).format(days=days)
    if hours:
        return (_("{hours} h {minutes} min").format(hours=hours, minutes=minutes) if minutes
                else _("{hours} h").format(hours=hours))
    return _("{minutes} min").format(minutes=minutes) if minutes else ""


def compact_duration(seconds: float) -> str:
    """3 days and 4 hours -> "3 d 4 h"; the two largest units only; "< 1 min" under a minute
    (system-info values such as uptime, which always say something)."""
    days, hours, minutes = _days_hours_minutes(seconds)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else "< 1 min"
