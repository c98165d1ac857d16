"""The control socket, served on the app's own loop: what `status`, `ask` and a second `run` use.

Both transports run here: the asyncio Unix socket (POSIX) and the QLocalServer variant
(Windows' named pipe; on Linux QLocalServer listens on a Unix socket too, so the command line's
AF_UNIX client reaches both).
"""

from __future__ import annotations

import asyncio
import os
import socket
import stat
from pathlib import Path
from typing import Any

import pytest

from supporttray.event_loop import EventLoop
from supporttray.ipc import client
from supporttray.ipc.protocol import MAX_REQUEST_BYTES, ok
from supporttray.ipc.server import ControlServer, Streaming


@pytest.fixture
def address(tmp_path: Path) -> Path:
    run_dir = tmp_path / "run"
    run_dir.mkdir(mode=0o700)
    return run_dir / "control.sock"


async def echo(request: dict[str, Any]) -> dict[str, Any]:
    return ok({"echo": request.get("text")})


async def broken(_request: dict[str, Any]) -> dict[str, Any]:
    raise RuntimeError("boom")


def ask(loop: EventLoop, address: Path, message: dict[str, Any]) -> dict[str, Any]:
    """The command line's client, on a worker thread while the loop serves."""
    result: dict[str, Any] = loop.run_until_complete(
        asyncio.wait_for(asyncio.to_thread(client.request, address, message, 5.0), 10))
    return result


@pytest.mark.parametrize("named_pipe", [False, True], ids=["unix-socket", "named-pipe"])
def test_requests_are_answered_and_failures_are_sentences(
    loop: EventLoop, address: Path, named_pipe: bool
) -> None:
    server = ControlServer(address, {"echo": echo, "broken": broken}, named_pipe=named_pipe)
    loop.run_until_complete(server.listen())
    try:
        assert ask(loop, address, {"cmd": "echo", "text": "héllo"}) == {
            "ok": True, "result": {"echo": "héllo"}}
        assert ask(loop, address, {"cmd": "nope"}) == {
            "ok": False, "error": "Unknown command 'nope' for the running instance."}
        assert ask(loop, address, {"cmd": "broken"}) == {
            "ok": False, "error": "The running instance failed to answer; see its log file."}
    finally:
        server.close()


def test_the_socket_is_owner_only_and_a_stale_one_is_replaced(
    loop: EventLoop, address: Path
) -> None:
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(address))  # a crashed instance's socket file: nobody listens on it
    stale.close()
    server = ControlServer(address, {"echo": echo})
    loop.run_until_complete(server.listen())
    try:
        assert stat.S_IMODE(os.stat(address).st_mode) == 0o600
        assert ask(loop, address, {"cmd": "echo", "text": "x"})["ok"] is True
    finally:
        server.close()
    assert not address.exists()
    with pytest.raises(client.NotRunning):
        client.request(address, {"cmd": "echo"}, timeout=2)


def test_garbage_and_oversized_requests_get_a_sentence_not_a_crash(
    loop: EventLoop, address: Path
) -> None:
    server = ControlServer(address, {"echo": echo})
    loop.run_until_complete(server.listen())

    def raw(payload: bytes) -> bytes:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(address))
            sock.sendall(payload)
            data = b""
            while not data.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
            return data

    try:
        garbage = loop.run_until_complete(asyncio.to_thread(raw, b"\xff{not json\n"))
        assert garbage.startswith(b'{"ok":false,"error":"Bad request')
        huge = loop.run_until_complete(
            asyncio.to_thread(raw, b"x" * (MAX_REQUEST_BYTES + 10) + b"\n"))
        assert huge == b'{"ok":false,"error":"Request too large."}\n'
        # and it still answers afterwards
        assert ask(loop, address, {"cmd": "echo", "text": "still here"})["result"] == {
            "echo": "still here"}
    finally:
        server.close()


def test_a_streaming_command_sends_its_progress_lines_before_the_answer(
    loop: EventLoop, address: Path
) -> None:
    # given a command that reports progress (as `send` does)
    async def counting(request: dict[str, Any], emit: Any) -> dict[str, Any]:
        for done in (1, 2):
            await emit({"progress": {"done": done}})
        return ok({"total": 2})

    server = ControlServer(address, {"count": Streaming(counting)})
    loop.run_until_complete(server.listen())
    lines: list[dict[str, Any]] = []
    try:
        # when the command line asks
        answer = loop.run_until_complete(asyncio.wait_for(asyncio.to_thread(
            client.request_streaming, address, {"cmd": "count"}, lines.append, 5.0), 10))
    finally:
        server.close()
    # then it saw each progress line, then the answer
    assert lines == [{"progress": {"done": 1}}, {"progress": {"done": 2}}]
    assert answer == {"ok": True, "result": {"total": 2}}


def test_a_command_line_that_goes_away_cancels_its_upload(
    loop: EventLoop, address: Path, tmp_path: Path
) -> None:
    # given `send` running with an upload that never ends
    from supporttray.core.file_offer import TransferProgress
    from supporttray.ipc.commands import ControlCommands

    cancelled: list[bool] = []

    class Uploads:
        async def send(self, peer: str, path: Path, text: str = "", *,
                       progress: Any = None) -> None:
            try:
                while True:
                    progress(TransferProgress(1, 10, 0.1))
                    await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                cancelled.append(True)
                raise

    payload = tmp_path / "build.bin"
    payload.write_bytes(b"x")
    commands = ControlCommands(None, None, None, files=Uploads())  # type: ignore[arg-type]
    server = ControlServer(address, commands.handlers())
    loop.run_until_complete(server.listen())
    try:
        # when the command line reads the first progress line and then is interrupted
        def interrupted() -> None:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(5)
                sock.connect(str(address))
                sock.sendall(b'{"cmd":"send","to":"ann@example.org","path":"%s"}\n'
                             % str(payload).encode())
                assert b"progress" in sock.recv(4096)

        loop.run_until_complete(asyncio.wait_for(asyncio.to_thread(interrupted), 10))
        loop.run_until_complete(asyncio.wait_for(_until(lambda: bool(cancelled)), 5))
    finally:
        server.close()
    # then the upload was cancelled
    assert cancelled == [True]


async def _until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.05)
