"""Sending from a chat: attach, drop, progress, the server's refusal as a sentence, retry."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QImage
from PySide6.QtWidgets import QTextEdit, QWidget
from pytestqt.qtbot import QtBot

from supporttray.app.transfers import TransferError
from supporttray.core.file_offer import MB, TransferProgress, too_large
from supporttray.ui.chat.outgoing_files import OutgoingFiles
from tests.ui.chat_fakes import Spawner

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

ANN = "ann@example.org"


class Uploads:
    """Stands in for FileTransfers.send: reports progress, then succeeds or fails as told."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, Path]] = []
        self.fails: Exception | None = None
        self.hold = False
        self.allowed = True

    def sends_files(self) -> bool:
        return self.allowed

    async def send(self, peer: str, path: Path, text: str = "", *,
                   progress: Callable[[TransferProgress], None] | None = None) -> None:
        if progress is not None:
            progress(TransferProgress(50 * MB, 200 * MB, 2.0))
        if self.hold:
            await asyncio.Event().wait()
        if self.fails is not None:
            raise self.fails
        self.sent.append((peer, path))


@pytest.fixture
def spawner() -> Iterator[Spawner]:
    spawner = Spawner()
    yield spawner
    spawner.close()


def outgoing(qtbot: QtBot, spawner: Spawner, uploads: Uploads,
             chosen: str = "") -> tuple[OutgoingFiles, QWidget]:
    host = QWidget()
    qtbot.addWidget(host)
    files = OutgoingFiles(ANN, uploads, spawn=spawner, host=host,  # type: ignore[arg-type]
                          edit=QTextEdit(host), choose_file=lambda _w: chosen, parent=host)
    host.show()
    return files, host


def test_attach_file_sends_it_and_the_row_goes_once_sent(
    qtbot: QtBot, spawner: Spawner, tmp_path: Path
) -> None:
    build = tmp_path / "setup.msi"
    build.write_bytes(b"x")
    uploads = Uploads()
    files, _host = outgoing(qtbot, spawner, uploads, chosen=str(build))
    files.attach_button.click()
    (row,) = files.rows
    assert row.name.text() == "setup.msi"
    spawner.run()
    assert uploads.sent == [(ANN, build)]
    assert files.rows == []


def test_a_dropped_file_is_sent(qtbot: QtBot, spawner: Spawner, tmp_path: Path) -> None:
    log = tmp_path / "install.log"
    log.write_text("lines")
    uploads = Uploads()
    files, host = outgoing(qtbot, spawner, uploads)
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(log))])
    drop = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, data,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    # Qt delivers a drop only after a real drag; hand it to the pane's filter as Qt would.
    assert files.eventFilter(host, drop)
    spawner.run()
    assert uploads.sent == [(ANN, log)]


def test_the_servers_refusal_is_a_sentence_and_retry_sends_again(
    qtbot: QtBot, spawner: Spawner, tmp_path: Path
) -> None:
    big = tmp_path / "disk.img"
    big.write_bytes(b"x")
    uploads = Uploads()
    uploads.fails = TransferError(too_large(100 * MB))
    files, _host = outgoing(qtbot, spawner, uploads)
    row = files.send(big)
    spawner.run()
    assert row.status.text() == "The server accepts files up to 100 MB."
    assert not row.retry_button.isHidden() and row.cancel_button.isHidden()
    uploads.fails = None
    row.retry_button.click()
    spawner.run()
    assert uploads.sent == [(ANN, big)] and files.rows == []


def test_progress_shows_speed_and_time_left_and_cancel_stops_it(
    qtbot: QtBot, spawner: Spawner, tmp_path: Path
) -> None:
    build = tmp_path / "setup.msi"
    build.write_bytes(b"x")
    uploads = Uploads()
    uploads.hold = True
    files, _host = outgoing(qtbot, spawner, uploads)
    row = files.send(build)
    loop = spawner._loop  # the fake spawner's loop: run the upload until it waits
    task = loop.create_task(spawner.pending.pop(0))
    loop.run_until_complete(asyncio.sleep(0.01))
    assert row.status.text() == "50 MB of 200 MB, 25 MB/s, 6 s left"
    row.cancel_button.click()
    loop.run_until_complete(task)
    assert row.status.text() == "The transfer was cancelled."
    assert not row.retry_button.isHidden()


def test_with_files_turned_off_by_policy_there_is_nothing_to_click(
    qtbot: QtBot, spawner: Spawner
) -> None:
    uploads = Uploads()
    uploads.allowed = False
    files, host = outgoing(qtbot, spawner, uploads)
    assert files.isHidden()
    assert not host.acceptDrops()


def test_a_screen_that_cannot_be_captured_says_so_and_sends_nothing(
        qtbot: QtBot, spawner: Spawner) -> None:
    uploads = Uploads()
    files, host = outgoing(qtbot, spawner, uploads)
    files.capture = QImage  # an empty picture: what Qt gives where it may not grab the screen
    files.screenshot()
    assert not host.isVisible()  # it stepped aside for the capture
    qtbot.waitUntil(lambda: files.notice.isVisible())
    assert host.isVisible()
    assert files.notice.text() == "The screen could not be captured."
    assert files.dialog is None and not files.rows
