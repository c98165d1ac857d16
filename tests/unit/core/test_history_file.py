"""Start-up with a history that cannot be used: it is set aside whole, a new one is started, and
the user gets one sentence saying where the old one went."""

from __future__ import annotations

import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from supporttray.core import history as history_module
from supporttray.core.history import HistoryFault, HistoryStore
from supporttray.core.history_file import (
    HistoryCheck,
    OpenedHistory,
    check_history,
    check_in_background,
    checked_note,
    close_history,
    open_history,
    set_aside,
    set_aside_histories,
)
from tests.helpers import FakeClock
from tests.unit.core.test_history import bodies, out

# A set-aside file is named for this moment (history.<fault>-20260301T090000Z.sqlite3).
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SHORT_LOCK_WAIT_S = 0.2


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "history.sqlite3"
    path.parent.mkdir()
    return path


@pytest.fixture(autouse=True)
def short_lock_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(history_module, "BUSY_TIMEOUT_S", SHORT_LOCK_WAIT_S)


def aside(db_file: Path, fault: str) -> Path:
    return db_file.with_name(f"history.{fault}-20260301T090000Z.sqlite3")


def written(db_file: Path, count: int = 1, *, size: int = 20) -> Path:
    """A history holding `count` messages ("message 0", ...), closed (its -wal checkpointed)."""
    with HistoryStore(db_file) as store:
        for i in range(count):
            store.add(out(f"message {i} " + "x" * size))
    return db_file


def start_up(db_file: Path) -> OpenedHistory:
    """What the app does: check on a worker thread, then open on the UI thread."""
    return open_history(check_history(db_file, clock=FakeClock(NOW)))


def quick_check(path: Path) -> str:
    with closing(sqlite3.connect(path)) as db:
        return str(db.execute("PRAGMA quick_check").fetchone()[0])


@contextmanager
def holder(db_file: Path, hold: str) -> Iterator[subprocess.Popen[str]]:
    """Another process that keeps the history locked until told (a line on its stdin); then it
    stores one more row and closes the file as a well-behaved program would."""
    code = textwrap.dedent(f"""
        import sqlite3, sys
        db = sqlite3.connect({str(db_file)!r}, isolation_level=None)
        if {hold!r} == "exclusive locking mode":
            db.execute("PRAGMA locking_mode = EXCLUSIVE")
        db.execute("BEGIN EXCLUSIVE")
        db.execute("INSERT INTO message (id, peer, direction, delivery, ts_us, body) "
                   "VALUES ('theirs', 'x@example.org', 'in', 'received', 0, 'written by them')")
        print("locked", flush=True)
        sys.stdin.readline()
        db.execute("COMMIT")
        db.close()
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "locked"
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=10)


def let_go(child: subprocess.Popen[str]) -> None:
    assert child.stdin is not None
    child.stdin.write("\n")
    child.stdin.flush()
    assert child.wait(timeout=10) == 0


# -- nothing to tell -----------------------------------------------------------------------------

def test_a_healthy_history_opens_as_it_is_with_nothing_to_tell(db_file: Path) -> None:
    # Given a history with messages
    written(db_file, 3)
    # When the app starts on it
    opened = start_up(db_file)
    # Then it runs on that file, with every message, and tells the user nothing
    with opened.store as store:
        assert store.path == db_file
        assert len(store.outbox()) == 3
    assert opened.notice is None
    assert set_aside_histories(db_file) == []


def test_a_new_profile_starts_a_new_history_with_nothing_to_tell(db_file: Path) -> None:
    opened = start_up(db_file)
    with opened.store as store:
        assert store.path == db_file
        assert store.add(out("first question"))
    assert opened.notice is None


def test_a_history_left_by_a_killed_writer_is_not_taken_for_locked(db_file: Path) -> None:
    # Given a process killed (SIGKILL) in the middle of a write transaction, after one commit:
    # its -wal and -shm are left behind, and it held the write lock when it died
    code = textwrap.dedent(f"""
        import os, signal, sqlite3
        from datetime import UTC, datetime
        from supporttray.core.history import HistoryStore
        from supporttray.core.messages import ChatMessage, Direction
        store = HistoryStore({str(db_file)!r})
        store.add(ChatMessage(id="kept", peer="alice@example.org", direction=Direction.OUT,
                              body="committed", timestamp=datetime(2026, 3, 1, tzinfo=UTC)))
        db = sqlite3.connect({str(db_file)!r}, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO message (id, peer, direction, delivery, ts_us, body) "
                   "VALUES ('lost', 'alice@example.org', 'out', 'queued', 0, 'never committed')")
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    died = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert died.returncode == -signal.SIGKILL, died.stderr.decode()
    assert Path(f"{db_file}-wal").exists() and Path(f"{db_file}-shm").exists()
    # When the app starts on it
    opened = start_up(db_file)
    # Then it is not taken for locked (nothing is set aside), and the committed message is there
    assert opened.notice is None
    with opened.store as store:
        assert [m.id for m in store.outbox()] == ["kept"]


def test_a_broken_search_index_is_rebuilt_and_nothing_is_set_aside(
    db_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a history whose search index lost its segments (its structure record, id 10, kept)
    written(db_file, 200)
    with closing(sqlite3.connect(db_file, isolation_level=None)) as db:
        db.execute("DELETE FROM message_text_data WHERE id > 10")
    # When the app starts on it
    opened = start_up(db_file)
    # Then the index is made again from the messages: search finds them, the user need not act
    with opened.store as store:
        assert len(store.search("message")) == 50
        assert bodies(store.search("199")) == ["message 199 " + "x" * 20]
    assert opened.notice is None
    assert set_aside_histories(db_file) == []
    assert "search index rebuilt" in caplog.text


# -- set aside -----------------------------------------------------------------------------------

def test_a_search_index_that_cannot_be_rebuilt_sets_the_history_aside(db_file: Path) -> None:
    # Given a history whose search index lost its structure record: FTS5 cannot even load it
    written(db_file, 20)
    with closing(sqlite3.connect(db_file, isolation_level=None)) as db:
        db.execute("DELETE FROM message_text_data WHERE id = 10")
    # When the app starts, then it is set aside with its messages and a new one is started
    opened = start_up(db_file)
    assert opened.notice is not None and "(the file is damaged)" in opened.notice
    with closing(sqlite3.connect(aside(db_file, "damaged"))) as db:
        assert db.execute("SELECT count(*) FROM message").fetchone()[0] == 20
    with opened.store as store:
        assert store.outbox() == []


def random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(64 * 1024))


def truncated(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def garbage_pages(path: Path) -> None:
    """The first page (header and schema) intact, every page after it random bytes."""
    page = 4096
    size = path.stat().st_size
    with path.open("r+b") as f:
        f.seek(page)
        f.write(random.Random(8).randbytes(size - page))


def closed_cleanly(db_file: Path, count: int = 100) -> Path:
    """A history the app quit on: its store closed by `close_history`."""
    written(db_file, count, size=400)
    close_history(HistoryStore(db_file))
    return db_file


def damaged_in_place(db_file: Path) -> None:
    """Pages in the file's second half damaged (rows, not the schema the opening reads), with
    its size and modification time kept: a disk's bit rot."""
    before = db_file.stat()
    with db_file.open("r+b") as f:
        f.seek(before.st_size // 2 // 4096 * 4096)
        f.write(random.Random(9).randbytes(before.st_size - f.tell()))
    os.utime(db_file, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_history_closed_cleanly_is_opened_without_reading_it_whole_then_checked_later(
    db_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Given a history the app closed cleanly, whose pages then rotted unseen
    closed_cleanly(db_file)
    assert checked_note(db_file).exists()
    damaged_in_place(db_file)
    # When the app starts: the start-up does not read the whole file (it must not grow with
    # the history), so nothing is set aside yet
    check = check_history(db_file, clock=FakeClock(NOW))
    assert (check.checked, check.notice) == (False, None)
    # Then the check made later finds the damage, logs it, and drops the note
    assert check_in_background(db_file) is False
    assert "it will be set aside at the next start" in caplog.text
    assert not checked_note(db_file).exists()
    # And the next start checks the file whole and sets it aside
    opened = start_up(db_file)
    assert opened.notice is not None and "(the file is damaged)" in opened.notice
    assert aside(db_file, "damaged").exists()


def test_a_history_changed_after_its_clean_close_is_checked_whole_at_start(
    db_file: Path,
) -> None:
    # Given a history closed cleanly, then damaged by something that wrote to it
    closed_cleanly(db_file)
    garbage_pages(db_file)
    os.utime(db_file, ns=(1, 1))
    # When the app starts, then it is checked whole, and set aside
    opened = start_up(db_file)
    assert opened.notice is not None and "(the file is damaged)" in opened.notice
    assert not checked_note(db_file).exists()


def test_a_healthy_history_closed_cleanly_passes_the_later_check(db_file: Path) -> None:
    closed_cleanly(db_file)
    opened = start_up(db_file)
    assert opened.notice is None
    with opened.store as store:
        assert check_in_background(db_file) is True  # beside the app's own connection
        assert store.add(out("after the check"))


def test_a_history_left_open_by_a_crash_gets_no_clean_close_note(db_file: Path) -> None:
    written(db_file, 3)
    store = HistoryStore(db_file)
    store.add(out("in the write-ahead log"))
    other = HistoryStore(db_file)  # still open when the first closes: its -wal stays
    close_history(store)
    assert not checked_note(db_file).exists()
    other.close()
    assert check_history(db_file).checked


@pytest.mark.parametrize("damage", [random_bytes, truncated, garbage_pages])
def test_a_damaged_history_is_set_aside_whole_and_a_new_one_started(
    db_file: Path, damage: Callable[[Path], None], caplog: pytest.LogCaptureFixture
) -> None:
    # Given a history of many pages, damaged
    written(db_file, 100, size=400)
    damage(db_file)
    damaged = db_file.read_bytes()
    # When the app starts on it
    opened = start_up(db_file)
    # Then the damaged file is kept, byte for byte, under a name that says when and why
    moved = aside(db_file, "damaged")
    assert moved.read_bytes() == damaged
    # And the user reads where it went, and the log says why, with the traceback if any
    assert opened.notice == (
        f"Your chat history could not be opened (the file is damaged); it was moved to {moved} "
        "and a new one was started. IT may be able to recover messages from it."
    )
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and str(moved) in errors[0].getMessage()
    # And the app runs on a new, whole, empty history in the same place
    with opened.store as store:
        assert store.path == db_file
        assert store.outbox() == []
        assert store.add(out("printer on fire"))
    assert quick_check(db_file) == "ok"


def test_a_damaged_history_logs_what_sqlite_found(
    db_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    written(db_file, 100, size=400)
    random_bytes(db_file)
    start_up(db_file)
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.exc_info is not None and error.exc_info[1] is not None
    assert "file is not a database" in str(error.exc_info[1].__cause__)


def test_a_history_from_a_newer_version_is_set_aside_with_its_messages(db_file: Path) -> None:
    # Given a history that a newer SupportTray wrote
    written(db_file, 2)
    with closing(sqlite3.connect(db_file)) as db:
        db.execute(f"PRAGMA user_version = {history_module.SCHEMA_VERSION + 1}")
    # When this version starts on it
    opened = start_up(db_file)
    # Then it is set aside untouched, to be read again by an update, and a new one is started
    moved = aside(db_file, "newer")
    assert opened.notice == (
        f"Your chat history could not be opened (a newer version of SupportTray wrote it); it "
        f"was moved to {moved} and a new one was started. To read it again, update "
        "SupportTray, then rename it (and its -wal file, if any) back to history.sqlite3."
    )
    with closing(sqlite3.connect(moved)) as db:
        assert db.execute("SELECT count(*) FROM message").fetchone()[0] == 2
        assert db.execute("PRAGMA user_version").fetchone()[0] == (
            history_module.SCHEMA_VERSION + 1)
    opened.store.close()


def test_another_programs_database_is_set_aside_untouched(db_file: Path) -> None:
    with closing(sqlite3.connect(db_file)) as db:
        db.execute("CREATE TABLE contacts (name TEXT)")
        db.commit()
    before = db_file.read_bytes()
    opened = start_up(db_file)
    assert aside(db_file, "foreign").read_bytes() == before
    assert opened.notice is not None and "another program's database" in opened.notice
    with opened.store as store:
        assert store.path == db_file


@pytest.mark.parametrize("hold", ["a write transaction", "exclusive locking mode"])
def test_a_history_another_process_keeps_locked_is_set_aside_after_a_short_wait(
    db_file: Path, hold: str
) -> None:
    # Given another process holding the history's lock, with a change of its own not yet done
    written(db_file, 2)
    with holder(db_file, hold) as child:
        # When the app starts on it
        began = time.monotonic()
        opened = start_up(db_file)
        # Then it waits only a moment, sets the file aside and runs on a new one
        assert time.monotonic() - began < 10 * SHORT_LOCK_WAIT_S
        moved = aside(db_file, "locked")
        assert opened.notice == (
            f"Your chat history could not be opened (another program kept it locked); it was "
            f"moved to {moved} and a new one was started. To take it up again, close that "
            "program, quit SupportTray and rename it (and its -wal file, if any) back to "
            "history.sqlite3."
        )
        store = opened.store
        assert store.path == db_file
        assert store.add(out("asked while the old file was held"))
        # And when the other program finishes and closes the file it had
        let_go(child)
    # Then its change went to the file set aside, and the new history is left alone
    assert Path(f"{db_file}-wal").exists()
    assert bodies(store.outbox()) == ["asked while the old file was held"]
    store.close()
    with closing(sqlite3.connect(moved)) as db:
        assert {row[0] for row in db.execute("SELECT body FROM message")} == {
            "message 0 " + "x" * 20, "message 1 " + "x" * 20, "written by them"}
    with HistoryStore(db_file) as reopened:
        assert bodies(reopened.outbox()) == ["asked while the old file was held"]


def test_a_lone_write_ahead_log_is_set_aside_not_deleted(db_file: Path) -> None:
    # Given the log of a history's last changes, its database file deleted by someone
    db_file.with_name("history.sqlite3-wal").write_bytes(b"last changes")
    # When the app starts
    opened = start_up(db_file)
    # Then the log is kept beside a new history (SQLite would have deleted it) and it is said
    kept = aside(db_file, "orphaned").with_name("history.orphaned-20260301T090000Z.sqlite3-wal")
    assert kept.read_bytes() == b"last changes"
    assert opened.notice == (
        "Your chat history could not be opened (its database file was missing; only the log "
        f"of its last changes was left); it was moved to {kept} and a new one was started.")
    with opened.store as store:
        assert store.path == db_file
    assert set_aside_histories(db_file) == [aside(db_file, "orphaned")]


def test_the_write_ahead_log_moves_with_its_database(db_file: Path) -> None:
    # Given a history still open elsewhere, its last commits only in its -wal
    other = HistoryStore(db_file)
    other.add(out("only in the wal"))
    try:
        # When it is set aside
        moved = set_aside(db_file, HistoryFault.DAMAGED, NOW)
    finally:
        other.close()
    # Then the file set aside still holds those commits
    with closing(sqlite3.connect(moved)) as db:
        assert db.execute("SELECT body FROM message").fetchall() == [("only in the wal",)]


# -- when even that fails ------------------------------------------------------------------------

def test_a_history_that_cannot_be_moved_keeps_the_session_in_memory_and_says_so(
    db_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a damaged history in a place where renaming fails (an open file on Windows)
    random_bytes(db_file)
    def refuse(*_args: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "rename", refuse)
    # When the app starts
    opened = start_up(db_file)
    # Then the file stays as it was, this session keeps its messages in memory, and it is said
    assert db_file.read_bytes() == random.Random(7).randbytes(64 * 1024)
    assert opened.store.path is None
    assert opened.notice == (
        "Your chat history could not be opened (the file is damaged) nor moved aside "
        "(Permission denied); this session's messages are kept in memory only and are lost "
        f"when SupportTray quits. Move {db_file} aside yourself and start SupportTray again."
    )
    opened.store.close()


def test_a_history_that_cannot_be_made_at_all_keeps_the_session_in_memory_and_says_so(
    tmp_path: Path,
) -> None:
    # Given a data folder that is a file, so no history can be made in it
    (tmp_path / "data").write_text("not a folder")
    path = tmp_path / "data" / "history.sqlite3"
    # When the app starts, then it runs on a history in memory and says why and what to do
    opened = start_up(path)
    with opened.store as store:
        assert store.path is None
        assert store.add(out("still asked"))
    assert opened.notice is not None
    assert opened.notice.startswith(f"The history file {path} cannot be opened. Check that")
    assert opened.notice.endswith(
        "Until then, this session's messages are kept in memory only and are lost when "
        "SupportTray quits.")
    assert opened.as_status() == {"file": None, "notice": opened.notice}


# -- names ---------------------------------------------------------------------------------------

def test_histories_set_aside_in_the_same_second_keep_apart_and_are_listed_newest_first(
    db_file: Path,
) -> None:
    # Given two damaged histories set aside within one second, and one a day earlier
    for when in (datetime(2026, 2, 28, 9, 0, tzinfo=UTC), NOW, NOW):
        random_bytes(db_file)
        set_aside(db_file, HistoryFault.DAMAGED, when)
    (db_file.parent / "history.notes.sqlite3").write_text("someone's own file")
    # Then each has a name of its own, and doctor lists them newest first, nothing else
    assert set_aside_histories(db_file) == [
        db_file.with_name("history.damaged-20260301T090000Z-2.sqlite3"),
        db_file.with_name("history.damaged-20260301T090000Z.sqlite3"),
        db_file.with_name("history.damaged-20260228T090000Z.sqlite3"),
    ]


def test_the_status_names_the_history_file_and_what_start_up_said(db_file: Path) -> None:
    opened = open_history(HistoryCheck(db_file, notice="It was moved."))
    with opened.store:
        assert opened.as_status() == {"file": str(db_file), "notice": "It was moved."}


def test_doctor_warns_of_histories_set_aside_and_names_the_newest(tmp_path: Path) -> None:
    from supporttray.config.paths import Paths
    from supporttray.doctor import _history_finding

    # Given a profile whose history was set aside twice
    paths = Paths(tmp_path / "config", tmp_path / "data", tmp_path / "logs", tmp_path / "run")
    paths.data_dir.mkdir()
    assert _history_finding(paths).level == "OK"
    for when in (datetime(2026, 2, 28, tzinfo=UTC), NOW):
        random_bytes(paths.history_db)
        set_aside(paths.history_db, HistoryFault.DAMAGED, when)
    # When doctor looks, then it warns and says which is newest and that they are kept
    finding = _history_finding(paths)
    assert finding.level == "WARN"
    assert "2 earlier history file(s) could not be opened" in str(finding.sentence)
    assert "newest: history.damaged-20260301T090000Z.sqlite3" in str(finding.sentence)
