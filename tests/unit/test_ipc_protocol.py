"""The control-socket protocol and what a command sees when no instance runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from supporttray.ipc.client import NotRunning, request
from supporttray.ipc.protocol import ProtocolError, decode, encode, failure, ok


def test_a_message_is_one_json_line_and_reads_back() -> None:
    line = encode({"cmd": "status", "text": "naïve\nline"})
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode(line) == {"cmd": "status", "text": "naïve\nline"}


@pytest.mark.parametrize("line", [b"not json\n", b"[1, 2]\n", b"\xff\xfe\n"])
def test_garbage_on_the_socket_is_a_protocol_error_not_a_crash(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(line)


def test_responses_say_ok_or_carry_a_sentence() -> None:
    assert ok({"a": 1}) == {"ok": True, "result": {"a": 1}}
    assert failure("No.") == {"ok": False, "error": "No."}


def test_asking_a_profile_with_no_running_instance_says_not_running(tmp_path: Path) -> None:
    with pytest.raises(NotRunning):
        request(tmp_path / "control.sock", {"cmd": "status"}, timeout=1.0)


def test_a_stale_socket_file_counts_as_not_running(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "control.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.close()  # the file stays, nobody listens: what a crashed instance leaves
    with pytest.raises(NotRunning):
        request(path, {"cmd": "status"}, timeout=1.0)
