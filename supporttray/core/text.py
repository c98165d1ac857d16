"""Shortening text for one line of a list, a menu or a notification: cut with "…" past a limit.

The one place that decides how text is cut, so a request's first line reads the same in the
queue, the history and a notification.
"""

from __future__ import annotations

from typing import Final

ELLIPSIS: Final = "…"
# A request's or a thread's first line: enough for any real question's opening.
FIRST_LINE_CHARS: Final = 120


def shorten(text: str, limit: int) -> str:
    """`text` as it is when it fits in `limit` characters, else cut to `limit` ending in "…".

    Space before the cut goes too, so the "…" follows a word rather than a gap.
    """
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def one_line(text: str, limit: int) -> str:
    """Free text (a status message, an error) on one line: every run of white space one space,
    then shortened to `limit`."""
    return shorten(" ".join(text.split()), limit)


def first_line(text: str, limit: int = FIRST_LINE_CHARS) -> str:
    """The first line of `text` that is not blank, on one line, shortened to `limit`."""
    line = next((part for part in text.splitlines() if part.strip()), "")
    return one_line(line, limit)
