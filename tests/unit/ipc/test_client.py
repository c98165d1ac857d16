"""What a command sees when no instance runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from supporttray.ipc.client import NotRunning, request


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
