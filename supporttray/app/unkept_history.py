"""`history.enabled = false`: no chat history on disk, but nothing typed is lost either.

The history lives in memory (the chat windows, search and export work for the session), and
the only thing written to disk is what is still to be sent: the outbox, as a small JSON file
(0600, written atomically) that exists only while a message waits, and is deleted once the
last one has been handed to the server. Why a file of its own rather than a history file that
is emptied: SQLite's file, -wal and free pages would keep old bodies on disk; a JSON file
replaced whole keeps nothing but the waiting messages. Outgoing messages wait rarely (only
while offline), so writing it on each change costs nothing in the normal case.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from supporttray.config.atomic_file import write_atomically
from supporttray.core.history import MEMORY, HistoryStore
from supporttray.core.messages import ChatMessage, Delivery, Direction

log = logging.getLogger("supporttray.store")

HISTORY_COMPANIONS = ("", "-wal", "-shm", "-journal")


class OutboxOnlyHistory(HistoryStore):
    """A HistoryStore in memory whose unsent messages survive a restart in `outbox_file`."""

    def __init__(self, outbox_file: Path) -> None:
        super().__init__(MEMORY)
        self._outbox_file = outbox_file
        self._on_disk = outbox_file.exists()
        for message in _load(outbox_file):
            super().add(message)

    @property
    def outbox_file(self) -> Path:
        return self._outbox_file

    def add(self, message: ChatMessage) -> bool:
        added = super().add(message)
        if added and message.direction is Direction.OUT and message.delivery is Delivery.QUEUED:
            self._save()
        return added

    def set_delivery(self, message_id: str, delivery: Delivery, *,
                     peer: str | None = None) -> bool:
        changed = super().set_delivery(message_id, delivery, peer=peer)
        if changed and self._on_disk:
            self._save()
        return changed

    def delete_conversation(self, peer: str, thread: str | None = None) -> int:
        deleted = super().delete_conversation(peer, thread)
        if self._on_disk:
            self._save()
        return deleted

    def _save(self) -> None:
        waiting = self.outbox()
        try:
            if waiting:
                write_atomically(self._outbox_file, json.dumps(
                    [_to_json(m) for m in waiting], ensure_ascii=False))
                self._on_disk = True
            else:
                self._outbox_file.unlink(missing_ok=True)
                self._on_disk = False
        except OSError:
            # The messages are still in memory and are sent this session; only a crash before
            # then would lose them.
            log.exception("the outbox file %s could not be written", self._outbox_file)


def remove_history_file(path: Path) -> bool:
    """Delete a history file (and its -wal, -shm) left from when history was kept: with
    `history.enabled = false` nothing of it may stay on disk. True if there was one."""
    found = False
    for suffix in HISTORY_COMPANIONS:
        part = path.with_name(path.name + suffix)
        try:
            part.unlink()
            found = True
        except FileNotFoundError:
            pass
    if found:
        log.info("history.enabled is off: deleted the history file %s", path)
    return found


def _to_json(message: ChatMessage) -> dict[str, Any]:
    return {"id": message.id, "peer": message.peer, "body": message.body,
            "timestamp": message.timestamp.isoformat(), "thread": message.thread,
            "sysinfo": [list(pair) for pair in message.sysinfo]}


def _load(path: Path) -> list[ChatMessage]:
    """The waiting messages; [] (logged) for a missing or unreadable file."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
        return [
            ChatMessage(id=str(i["id"]), peer=str(i["peer"]), direction=Direction.OUT,
                        body=str(i["body"]), timestamp=datetime.fromisoformat(i["timestamp"]),
                        thread=i.get("thread"), delivery=Delivery.QUEUED,
                        sysinfo=tuple((str(k), str(v)) for k, v in i.get("sysinfo") or ()))
            for i in items
        ]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.error("the outbox file %s cannot be read (%s); its messages are not sent", path, exc)
        return []
