"""The running instance's side of `supporttray send`: checks, the transfer, progress lines."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from supporttray.core.file_offer import TransferProgress
from supporttray.core.jid import bare_jid
from supporttray.ipc import protocol
from supporttray.ipc.send_protocol import SendProgress, SendRequest, SendResult

if TYPE_CHECKING:
    from supporttray.app.transfers import FileTransfers
    from supporttray.ipc.server import Emit

log = logging.getLogger("supporttray.ipc")

# Progress lines to the command line: a moving figure without flooding a slow terminal.
PROGRESS_EVERY = 0.5


async def send_file(files: FileTransfers | None, request: SendRequest,
                    emit: Emit | None) -> dict[str, Any]:
    from supporttray.app.transfers import TransferError

    if files is None:
        return protocol.failure("This instance cannot send files.")
    to = request.to.strip()
    if not to or "@" not in bare_jid(to):
        return protocol.failure(f"{request.to!r} is not an address to send to (user@domain).")
    path = Path(request.path)
    if not path.is_absolute() or not path.is_file():
        return protocol.failure(f"{request.path} is not a file.")
    latest: list[TransferProgress] = []
    sending = asyncio.ensure_future(files.send(to, path, request.message,
                                               progress=latest.append))
    reporter = (asyncio.ensure_future(_report(latest, emit, sending)) if emit is not None
                else None)
    try:
        sent = await sending
    except TransferError as exc:
        return protocol.failure(str(exc.sentence))
    except asyncio.CancelledError:
        if reporter is not None and reporter.done():
            # The command line went away (Ctrl+C): the upload stopped with it.
            log.info("supporttray send was interrupted; the upload was cancelled")
            return protocol.failure("Cancelled.")
        raise
    finally:
        if reporter is not None:
            reporter.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await reporter
    if emit is not None and latest:
        await _emit(emit, latest[-1])
    offer = sent.offer
    return protocol.ok(SendResult(url=offer.url, name=offer.name, size=offer.size or 0,
                                  media_type=offer.media_type, sha256=offer.sha256,
                                  message_id=sent.message_id).to_wire())


async def _report(latest: list[TransferProgress], emit: Emit,
                  sending: asyncio.Future[Any]) -> None:
    """Every PROGRESS_EVERY, the newest progress; a command line that went away cancels."""
    shown: TransferProgress | None = None
    while True:
        await asyncio.sleep(PROGRESS_EVERY)
        if latest and latest[-1] is not shown:
            shown = latest[-1]
            del latest[:-1]  # keep only the newest: nothing grows during a long upload
            try:
                await _emit(emit, shown)
            except (ConnectionError, OSError):
                sending.cancel()
                return


async def _emit(emit: Emit, progress: TransferProgress) -> None:
    await emit(SendProgress(progress.done, progress.total, progress.bytes_per_second,
                            progress.seconds_left).to_wire())
