"""`supporttray send --to JID FILE [MESSAGE]`: push a file through the running instance.

Prints a progress line as the upload goes (on a terminal, one line rewritten in place), then
where the file is. Exit 0 once the server has the file and the message, 1 with the
instance's sentence when it could not (the server's size limit, no upload service), 2 for what
was typed, 3 with no instance running.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Final, TextIO

from supporttray.core.file_offer import size_text

EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_NOT_RUNNING: Final = 3
# The silence allowed between two lines from the instance: a slot or an ack may take a while.
LINE_TIMEOUT = 120.0


class SendCommandError(Exception):
    def __init__(self, sentence: str, code: int = EXIT_FAILED) -> None:
        super().__init__(sentence)
        self.code = code


def progress_line(done: int, total: int, bytes_per_second: float,
                  seconds_left: float | None) -> str:
    """"  37% 74 MB of 200 MB, 48.2 MB/s, 3 s left"."""
    percent = math.floor(100 * done / total) if total else 100
    left = "?" if seconds_left is None else str(math.ceil(seconds_left))
    return (f"{percent:3d}% {size_text(done)} of {size_text(total)}, "
            f"{size_text(int(bytes_per_second))}/s, {left} s left")


def run_send(control_socket: Path, to: str, file: str, message: str, *, out: TextIO) -> int:
    from supporttray.ipc.client import NotRunning, request_streaming
    from supporttray.ipc.protocol import ProtocolError
    from supporttray.ipc.send_protocol import SendProgress, SendRequest, SendResult

    path = Path(file).expanduser()
    if not path.is_file():
        raise SendCommandError(f"{file} is not a file.", EXIT_USAGE)
    if not to.strip():
        raise SendCommandError("to whom? e.g.: supporttray send --to ann@example.org FILE",
                               EXIT_USAGE)
    live = out.isatty()

    def show(line: dict[str, Any]) -> None:
        progress = SendProgress.from_wire(line)
        if progress is None:
            return
        text = progress_line(progress.done, progress.total, progress.bytes_per_second,
                             progress.seconds_left)
        out.write(f"\r{text}\x1b[K" if live else text + "\n")
        out.flush()

    request = SendRequest(to=to.strip(), path=str(path.resolve()), message=message)
    try:
        response = request_streaming(control_socket, request.to_wire(), show,
                                     timeout=LINE_TIMEOUT)
    except NotRunning:
        raise SendCommandError(f"SupportTray is not running (nothing answers at "
                               f"{control_socket}). Start it with: supporttray run",
                               EXIT_NOT_RUNNING) from None
    except (OSError, ProtocolError) as exc:
        raise SendCommandError(f"the running SupportTray did not answer: {exc}") from None
    if live:
        out.write("\n")
    if not response.get("ok"):
        raise SendCommandError(str(response.get("error") or "the file was not sent"))
    result = response.get("result")
    sent = SendResult.from_wire(result if isinstance(result, dict) else {})
    out.write(f"Sent {sent.name} ({size_text(sent.size)}) to {request.to}.\n")
    out.write(f"Link: {sent.url}\nSHA-256: {sent.sha256}\n")
    return 0
