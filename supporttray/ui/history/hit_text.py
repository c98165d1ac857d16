"""What a row of the history list says, as rich text in which only we write markup.

A message body is whatever someone typed or pasted, `<script>` and `<b>` included: every piece
of it goes through `html.escape`, and the only tags are the ones put around the hit's spans.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from supporttray.language.catalogue import _, ngettext
from supporttray.ui.chat.time_text import local_time

if TYPE_CHECKING:
    from supporttray.core.history import ConversationSummary, SearchHit

NameOf = Callable[[str], str]


def highlighted(text: str, spans: Sequence[tuple[int, int]], *, mark: str) -> str:
    """`text` escaped, each (start, end) span wrapped in a highlight; spans that overlap, run
    past the end or come out of order are clipped rather than trusted."""
    out: list[str] = []
    at = 0
    for start, end in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        out.append(html.escape(text[at:start]))
        out.append(f'<span style="{mark}">{html.escape(text[start:end])}</span>')
        at = end
    out.append(html.escape(text[at:]))
    return "".join(out)


def day_and_time(moment: datetime) -> str:
    """`2026-11-12 14:03` in the person's own time zone: sortable, one width for every row."""
    return local_time(moment).strftime("%Y-%m-%d %H:%M")


def summary_html(row: ConversationSummary, name_of: NameOf, *, secondary: str) -> str:
    """Who, when and how it went, over the request's first line."""
    head = " · ".join((
        f"<b>{html.escape(name_of(row.peer))}</b>",
        html.escape(day_and_time(row.last_at)),
        html.escape(ngettext("{count} message", "{count} messages", row.messages)
                    .format(count=row.messages)),
    ))
    first = row.first_line if row.first_line else _("(no question in this conversation)")
    return f"{head}<br>{html.escape(first)}<br><span style=\"color: {secondary}\">" \
        f"{html.escape(summary_facts(row, name_of))}</span>"


def summary_facts(row: ConversationSummary, name_of: NameOf) -> str:
    """"Answered by Alice · resolved · 2 notes": the facts a staff member scans for."""
    facts = []
    if row.answered_by:
        facts.append(_("answered by {names}").format(
            names=", ".join(name_of(jid) for jid in row.answered_by)))
    else:
        facts.append(_("no answer yet"))
    if row.resolved is True:
        facts.append(_("resolved"))
    elif row.resolved is False:
        facts.append(_("open"))
    if row.notes:
        facts.append(ngettext("{count} note", "{count} notes", row.notes).format(count=row.notes))
    return " · ".join(facts)


def hit_html(hit: SearchHit, name_of: NameOf, *, mark: str, secondary: str) -> str:
    """Where the hit is (person, time, who wrote it) over its snippet, the words highlighted."""
    parts = [f"<b>{html.escape(name_of(hit.peer))}</b>", html.escape(day_and_time(hit.at))]
    author = hit_author(hit, name_of)
    if author:
        parts.append(f'<span style="color: {secondary}">{html.escape(author)}</span>')
    return f"{' · '.join(parts)}<br>{highlighted(hit.snippet, hit.spans, mark=mark)}"


def hit_author(hit: SearchHit, name_of: NameOf) -> str:
    """"Note by Dave", "You" for our side; "" when the person wrote it (the row names them)."""
    if hit.note_id is not None:
        return _("Note by {name}").format(name=name_of(hit.from_))
    return name_of(hit.from_) if hit.from_ and hit.from_ != hit.peer else ""


def summary_text(row: ConversationSummary, name_of: NameOf) -> str:
    """The same row as plain text: what a screen reader says and what tests read."""
    first = row.first_line if row.first_line else _("(no question in this conversation)")
    return f"{name_of(row.peer)} · {day_and_time(row.last_at)} · {first} · " \
        f"{summary_facts(row, name_of)}"


def hit_text(hit: SearchHit, name_of: NameOf) -> str:
    author = hit_author(hit, name_of)
    return " · ".join(part for part in (name_of(hit.peer), day_and_time(hit.at), author,
                                        hit.snippet) if part)
