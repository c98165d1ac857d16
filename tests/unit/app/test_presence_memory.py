"""Staff mode: the presence the person chose is saved and comes back after a restart; a file
that cannot be used is said in the log and ignored, never a traceback."""

from __future__ import annotations

import json
import logging
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from supporttray.app.presence_memory import PresenceMemory, SavedPresence
from supporttray.core.own_presence import OwnPresence, PresenceChoice
from supporttray.core.presence import Availability
from tests.helpers import FakeClock

MEETING = "In a meeting until 3"


def test_a_choice_comes_back_with_its_message_recent_messages_and_time(tmp_path: Path) -> None:
    # given the person chose Busy with a message, after two other messages
    clock = FakeClock(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    memory = PresenceMemory(tmp_path / "data" / "presence.json", clock=clock)
    own = OwnPresence()
    memory.remember(own)
    own.set(Availability.AWAY, "Lunch")
    own.set(Availability.AVAILABLE, "Working from home")
    own.set(Availability.BUSY, MEETING)

    # when the app starts again and reads it
    saved = PresenceMemory(tmp_path / "data" / "presence.json").load()

    # then it is Busy with that message, the recent messages newest first, and when
    assert saved is not None
    restored = saved.own_presence()
    assert (restored.current.show, restored.current.status) == (Availability.BUSY, MEETING)
    assert restored.recent_messages == [MEETING, "Working from home", "Lunch"]
    assert saved.chosen_at == clock.now


def test_only_the_persons_own_choices_are_written(tmp_path: Path) -> None:
    path = tmp_path / "presence.json"
    memory = PresenceMemory(path)
    own = OwnPresence()
    memory.remember(own)
    own.set(Availability.BUSY, MEETING)
    written = path.read_text(encoding="utf-8")

    # when auto-away and the on-call hours change the presence
    own.set_idle(datetime(2026, 3, 3, 10, 0, tzinfo=UTC), extended=True)
    own.restore(PresenceChoice(Availability.AVAILABLE))
    own.set_scheduled(Availability.AWAY, "Off duty (on call Mon-Fri 08:00-18:00)")

    # then the file still holds the person's choice
    assert path.read_text(encoding="utf-8") == written
    assert json.loads(written)["show"] == "busy"


def test_the_file_is_owner_only_and_replaced_whole(tmp_path: Path) -> None:
    path = tmp_path / "presence.json"
    memory = PresenceMemory(path)
    memory.save(SavedPresence(PresenceChoice(Availability.AWAY, "Lunch")))
    memory.save(SavedPresence(PresenceChoice(Availability.BUSY, MEETING)))
    assert json.loads(path.read_text(encoding="utf-8"))["status"] == MEETING
    assert [p.name for p in tmp_path.iterdir()] == ["presence.json"]  # no temp file left
    if os.name != "nt":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_no_file_yet_starts_available_without_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert PresenceMemory(tmp_path / "presence.json").load() is None
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'{"version": 1, "show": "busy", "stat', "it is not JSON: Unterminated string"),
        (b"\xff\xfe garbage", "it is not UTF-8 text"),
        (b"[1, 2]", "it holds no JSON object"),
        (b'{"version": 7, "show": "busy"}', "its version is 7, this app reads 1"),
        (b'{"version": 1, "show": "napping"}', "'napping' is not a presence"),
        (b'{"version": 1, "show": ["busy"]}', "['busy'] is not a presence"),
        (b'{"version": 1, "show": "busy", "status": 3}', "its status is not text"),
        (b'{"version": 1, "show": "busy", "recent": "Lunch"}',
         "its recent messages are not a list"),
        (b'{"version": 1, "show": "busy", "chosen_at": "noon"}',
         "its chosen_at 'noon' is not a date and time"),
        (b'{"version": 1, "show": "busy", "chosen_at": "2026-03-03T10:00:00"}',
         "its chosen_at has no time zone"),
        (b"", "it is not JSON"),
    ],
)
def test_a_corrupt_file_is_logged_in_a_sentence_and_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes, reason: str
) -> None:
    path = tmp_path / "presence.json"
    path.write_bytes(content)

    assert PresenceMemory(path).load() is None

    (record,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    message = record.getMessage()
    assert message.startswith(f"The saved presence in {path} is not usable ({reason}")
    assert "starting as Available" in message
    assert record.exc_info is None


def test_an_unreadable_file_is_logged_and_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "presence.json"
    path.mkdir()  # something is in the way that cannot be read as a file
    assert PresenceMemory(path).load() is None
    (record,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.getMessage().startswith(f"The saved presence in {path} could not be read (")


def test_an_unwritable_directory_is_logged_and_the_app_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # given a data "directory" that is a file (works even for root, unlike chmod)
    blocker = tmp_path / "data"
    blocker.write_text("not a directory", encoding="utf-8")
    memory = PresenceMemory(blocker / "presence.json")
    own = OwnPresence()
    memory.remember(own)

    # when the person chooses Busy
    own.set(Availability.BUSY, MEETING)

    # then the presence changed all the same, and the log says what was not kept
    assert own.current.show is Availability.BUSY
    (record,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.getMessage().startswith(
        f"Your status could not be saved to {blocker / 'presence.json'} (")
    assert "after a restart it starts as Available" in record.getMessage()


def test_an_edited_file_is_held_to_what_the_app_itself_would_publish(tmp_path: Path) -> None:
    path = tmp_path / "presence.json"
    path.write_text(json.dumps({
        "version": 1, "show": "away", "status": "two\nlines  " + "x" * 300,
        "recent": ["a", "", "b", "c", "d", "e", "f", "g"], "chosen_at": None,
    }), encoding="utf-8")
    saved = PresenceMemory(path).load()
    assert saved is not None
    assert saved.choice.status.startswith("two lines x") and len(saved.choice.status) == 200
    assert saved.own_presence().recent_messages == [saved.choice.status, "a", "b", "c", "d"]
