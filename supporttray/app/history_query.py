"""`supporttray history`: list, search and export the chat history, the same in both places.

The running instance answers it on an executor thread with a reader connection of its own
(ipc.commands); with none running, the command line opens the file read-only and calls the
same functions. Listing returns JSON-ready objects (`--json` prints them, the plain form is
made from them); an export is written here, owner-only and atomically.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from supporttray.config.atomic_file import write_atomically
from supporttray.core.history import HistoryStore, Note
from supporttray.core.messages import ChatMessage, Direction
from supporttray.core.transcript_export import format_for, gather, render

# What `history` lists without --limit: the newest messages, enough for any terminal.
DEFAULT_LIMIT: Final = 1000


@dataclass(frozen=True)
class HistoryQuery:
    """One `history` command (or the history window's export): who with, which request, which
    words, which time. `thread` and `until` are for exports only (the window exports one
    request, or a date range); the command line gives neither."""

    with_: str | None = None
    search: str | None = None
    since: datetime | None = None
    limit: int = DEFAULT_LIMIT  # 0: every message
    thread: str | None = None
    until: datetime | None = None


def list_history(store: HistoryStore, query: HistoryQuery, *, me: str) -> list[dict[str, Any]]:
    """Messages (and notes) oldest first, as `--json` prints them; the newest `limit`."""
    limit = query.limit if query.limit > 0 else 2**62
    if query.search:
        found: list[ChatMessage | Note] = []
        hits = store.find(query.search, peer=query.with_, since=query.since, limit=limit)
        notes = {}
        if any(hit.note_id is not None for hit in hits):
            notes = {n.id: n for n in store.notes_between(peer=query.with_, since=query.since)}
        for hit in hits:
            if hit.note_id is not None:
                found.append(notes[hit.note_id])
            elif hit.message_id is not None:
                found += store.around(hit.peer, hit.message_id, before=0, after=0)
        found.sort(key=lambda item: item.timestamp if isinstance(item, ChatMessage) else item.at)
        return [_json(item, me) for item in found]
    messages = store.messages_between(peer=query.with_, since=query.since, limit=limit,
                                      newest=True)
    notes_list = store.notes_between(peer=query.with_, since=query.since)
    if messages and len(messages) == limit:  # notes from before the first message shown: out
        notes_list = [n for n in notes_list if n.at >= messages[0].timestamp]
    items: list[ChatMessage | Note] = [*messages, *notes_list]
    items.sort(key=lambda item: item.timestamp if isinstance(item, ChatMessage) else item.at)
    return [_json(item, me) for item in items]


def export_history(
    store: HistoryStore, query: HistoryQuery, target: Path, *, me: str,
    redact: Iterable[str] = (), now: datetime | None = None,
) -> int:
    """Write the conversation (`with_`), the request (`with_` and `thread`) or the date range
    (`since`, `until`) to `target` in the format its extension names, 0600 and atomically;
    how many messages it holds. ValueError for an extension that names no format; OSError
    when it cannot be written. Blocking: on an executor thread, with a reader."""
    fmt = format_for(target)
    if fmt is None:
        raise ValueError(unknown_format_sentence(target))
    transcript = gather(store, peer=query.with_, thread=query.thread, since=query.since,
                        until=query.until, me=me, redact=redact,
                        exported_at=now or datetime.now(UTC))
    write_atomically(target, render(transcript, fmt))
    return len(transcript.messages)


def unknown_format_sentence(target: Path) -> str:
    return (f"cannot tell the export format from {target.name!r}: name the file .md or "
            ".markdown for Markdown, .html or .htm for HTML")


def iso_utc(moment: datetime) -> str:
    """ISO 8601 in UTC, e.g. 2026-03-01T09:00:00+00:00."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _json(item: ChatMessage | Note, me: str) -> dict[str, Any]:
    if isinstance(item, Note):
        return {"kind": "note", "id": item.id, "from": item.author, "to": None,
                "peer": item.peer, "thread": item.thread, "body": item.body,
                "sent_at": iso_utc(item.at), "direction": None}
    incoming = item.direction is Direction.IN
    return {"kind": "message", "id": item.id, "from": item.peer if incoming else me,
            "to": me if incoming else item.peer, "peer": item.peer, "thread": item.thread,
            "body": item.body, "sent_at": iso_utc(item.timestamp),
            "direction": item.direction.value}

