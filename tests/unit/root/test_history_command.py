"""`supporttray history` with no instance running: read from the file, read-only; what is typed
is checked first (exit 2), a history that cannot be read is a sentence (exit 1), never a
traceback. Run in-process (cli.main), with a --profile of its own."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from supporttray import cli
from supporttray.config.paths import resolve_paths
from supporttray.core.history import HistoryStore
from supporttray.core.messages import ChatMessage, Delivery, Direction
from supporttray.history_command import HistoryCommandError, format_line, parse_since

ALICE = "alice@example.org"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("SUPPORTTRAY_HOME", raising=False)
    monkeypatch.delenv("SUPPORTTRAY_POLICY", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "profile"


def history_file(profile: Path) -> Path:
    return Path(resolve_paths(str(profile), os.environ).history_db)


def with_history(profile: Path) -> Path:
    path = history_file(profile)
    with HistoryStore(path) as store:
        store.add(ChatMessage("m1", ALICE, Direction.OUT, "My printer jams\nsince Monday", T0,
                              "st-1", Delivery.SENT,
                              sysinfo=(("os.name", "Debian"), ("net.addresses", "10.0.0.7"))))
        store.add(ChatMessage("m2", ALICE, Direction.IN, "Try tray 2", T0 + timedelta(minutes=2),
                              "st-1"))
        store.add(ChatMessage("m3", "bob@example.org", Direction.IN, "VPN is down",
                              T0 + timedelta(days=3), "st-2"))
        store.add_note(ALICE, "st-1", "printer fixed", author="dave@example.org",
                       at=T0 + timedelta(minutes=5))
    return path


def run(profile: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["history", "--profile", str(profile), *args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_json_lists_messages_and_notes_with_the_contract_fields(
    profile: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    with_history(profile)
    code, out, _ = run(profile, capsys, "--json", "--with", ALICE)
    assert code == 0
    items = json.loads(out)
    assert [(i["kind"], i["id"]) for i in items] == [
        ("message", "m1"), ("message", "m2"), ("note", items[2]["id"])]
    first = items[0]
    assert {k: first[k] for k in ("id", "to", "thread", "body", "sent_at", "direction")} == {
        "id": "m1", "to": ALICE, "thread": "st-1", "body": "My printer jams\nsince Monday",
        "sent_at": "2026-03-01T09:00:00+00:00", "direction": "out"}
    assert items[1]["from"] == ALICE and items[1]["direction"] == "in"


def test_search_finds_messages_and_notes(profile: Path, capsys: pytest.CaptureFixture[str],
                                         ) -> None:
    with_history(profile)
    code, out, _ = run(profile, capsys, "--json", "--search", "printer")
    assert code == 0
    assert [(i["kind"], i["body"]) for i in json.loads(out)] == [
        ("message", "My printer jams\nsince Monday"), ("note", "printer fixed")]


def test_since_leaves_older_messages_out_and_plain_lines_are_readable(
    profile: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    with_history(profile)
    code, out, _ = run(profile, capsys, "--since", "2026-03-03T00:00+00:00")
    assert code == 0
    when = (T0 + timedelta(days=3)).astimezone().strftime("%Y-%m-%d %H:%M")
    assert out == f"{when}  bob@example.org: VPN is down\n"


def test_export_writes_an_owner_only_file_with_redaction(
    profile: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
) -> None:
    with_history(profile)
    code, out, _ = run(profile, capsys, "--with", ALICE, "--export", "out.html",
                       "--redact", "net.addresses")
    assert code == 0 and "Exported 2 message(s)" in out
    written = tmp_path / "out.html"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    page = written.read_text(encoding="utf-8")
    assert "My printer jams" in page and "Debian" in page and "10.0.0.7" not in page
    assert "printer fixed" in page


@pytest.mark.parametrize(("args", "words"), [
    (("--export", "out.pdf"), "cannot tell the export format from 'out.pdf'"),
    (("--since", "last tuesday"), "--since 'last tuesday' is not a date"),
    (("--since", "2026-13-01"), "is not a date"),
    (("--export", "x.md", "--search", "vpn"), "leave --search out"),
    (("--redact", "net.addresses"), "--redact applies to --export only"),
    (("--export", "x.md", "--redact", "Bad Key"), "'Bad Key' is not one"),
])
def test_what_is_typed_wrong_exits_2_with_a_sentence(
    profile: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], words: str,
) -> None:
    code, _, err = run(profile, capsys, *args)
    assert code == cli.EXIT_USAGE
    assert words in err


def test_no_history_file_is_a_sentence_and_exit_1(
    profile: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(profile, capsys, "--json")
    assert code == 1 and "there is no chat history at" in err
    assert not history_file(profile).exists()  # reading never creates one


def test_a_damaged_history_is_a_sentence_and_exit_1(
    profile: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = history_file(profile)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    code, _, err = run(profile, capsys, "--json")
    assert code == 1 and "is not a SupportTray chat history, or it is damaged" in err


def test_since_takes_a_day_or_an_iso_moment() -> None:
    assert parse_since("2026-03-01") == datetime(2026, 3, 1).astimezone()
    assert parse_since("2026-03-01T14:30+01:00") == datetime(2026, 3, 1, 13, 30, tzinfo=UTC)
    with pytest.raises(HistoryCommandError):
        parse_since("01/03/2026")


def test_a_plain_line_is_time_who_and_the_first_line() -> None:
    line = format_line({"kind": "note", "from": "dave@example.org", "body": "\n a\nb",
                        "sent_at": "2026-03-01T09:00:00+00:00"})
    assert line.endswith("  note by dave@example.org: a")
