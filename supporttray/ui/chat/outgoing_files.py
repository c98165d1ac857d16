"""Sending files from a chat: "Attach file…", "Screenshot…", a file dropped on the
conversation or pasted into the box; each upload a row with progress, Cancel and Retry.

Uploads run as tasks on the loop (app.transfers streams from disk); a pasted picture is written
to a private temporary file first, as a screenshot is, and removed once sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QObject
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from supporttray.core.file_offer import TransferProgress, cancelled
from supporttray.language.catalogue import _
from supporttray.ui.screenshot_attach import NOT_CAPTURED, ScreenshotFlow, grab_screen
from supporttray.ui.screenshot_dialog import ScreenshotDialog
from supporttray.ui.text_colors import error_color

if TYPE_CHECKING:
    from supporttray.app.transfers import FileTransfers

log = logging.getLogger("supporttray.ui")

Spawn = Callable[[Coroutine[Any, Any, Any]], object]


class UploadRow(QWidget):
    """One file on its way: name, progress with speed and time left, Cancel; Retry if broken."""

    def __init__(self, path: Path, start: Callable[[UploadRow], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._start = start
        self.task: asyncio.Task[Any] | None = None
        self.name = QLabel(path.name, self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        self.status = QLabel(_("Uploading…"), self)
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button = QPushButton(_("&Retry"), self)
        self.retry_button.clicked.connect(lambda: self._start(self))
        self.retry_button.hide()
        top = QHBoxLayout()
        top.addWidget(self.name, 1)
        top.addWidget(self.cancel_button)
        top.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 2, 0, 2)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def progressed(self, progress: TransferProgress) -> None:
        self.progress.setValue(round(progress.fraction * 1000))
        self.status.setText(progress.sentence().translated())

    def uploading(self) -> None:
        self.status.setStyleSheet("")
        self.status.setText(_("Uploading…"))
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.retry_button.hide()

    def failed(self, sentence: str) -> None:
        self.status.setText(sentence)
        self.status.setStyleSheet(f"color: {error_color(self.status)};")
        self.progress.hide()
        self.cancel_button.hide()
        self.retry_button.show()


class OutgoingFiles(QWidget):
    """The chat's attach buttons and its uploads in progress (rows vanish once sent)."""

    def __init__(self, peer: str, files: FileTransfers, *, spawn: Spawn, host: QWidget,
                 edit: QWidget | None = None, capture: Callable[[], QImage] = grab_screen,
                 choose_file: Callable[[QWidget], str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outgoingFiles")
        self._peer = peer
        self._files = files
        self._spawn = spawn
        self._host = host
        self._flow = ScreenshotFlow(host.window, host, on_png=self._screenshot_taken,
                                    on_failure=self._not_captured, capture=capture)
        self._choose_file = choose_file or _choose_file
        self.rows: list[UploadRow] = []
        self._temporary: dict[UploadRow, tempfile.TemporaryDirectory[str]] = {}
        self.attach_button = QPushButton(_("Attach &file…"), self)
        self.attach_button.clicked.connect(self.choose)
        self.screenshot_button = QPushButton(_("Screens&hot…"), self)
        self.screenshot_button.clicked.connect(self.screenshot)
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.screenshot_button)
        buttons.addStretch(1)
        self.notice = QLabel(self)  # what went wrong before anything was sent
        self.notice.setObjectName("outgoingNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(f"color: {error_color(self.notice)}")
        self.notice.hide()
        self._rows = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        layout.addWidget(self.notice)
        layout.addLayout(self._rows)
        layout.addLayout(buttons)
        if not files.sends_files():
            # Policy `files.allowed = "off"`: no way to send, not a button that only refuses.
            self.hide()
            return
        # Drop a file anywhere on the conversation; paste a picture or a file into the box.
        host.setAcceptDrops(True)
        host.installEventFilter(self)
        if edit is not None:
            edit.installEventFilter(self)

    # -- ways in ------------------------------------------------------------------------------
    def choose(self) -> None:
        chosen = self._choose_file(self._host)
        if chosen:
            self.send(Path(chosen))

    @property
    def capture(self) -> Callable[[], QImage]:
        return self._flow.capture

    @capture.setter
    def capture(self, capture: Callable[[], QImage]) -> None:
        self._flow.capture = capture  # the offscreen tests have no screen

    @property
    def dialog(self) -> ScreenshotDialog | None:
        """The consent dialog while it is open."""
        return self._flow.dialog

    def screenshot(self) -> None:
        self.notice.hide()
        self._flow.start()

    def _screenshot_taken(self, png: bytes) -> None:
        self.send_bytes(datetime.now().strftime("screenshot-%Y-%m-%d-%H%M%S.png"), png)

    def _not_captured(self) -> None:
        self.notice.setText(_(NOT_CAPTURED))
        self.notice.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.DragEnter and isinstance(event, QDragEnterEvent):
            if any(url.isLocalFile() for url in event.mimeData().urls()):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop and isinstance(event, QDropEvent):
            paths = [Path(url.toLocalFile()) for url in event.mimeData().urls()
                     if url.isLocalFile()]
            for path in paths:
                if path.is_file():
                    self.send(path)
            if paths:
                event.acceptProposedAction()
                return True
        elif (kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
              and event.matches(QKeySequence.StandardKey.Paste)):
            return self._paste()
        return super().eventFilter(watched, event)

    def _paste(self) -> bool:
        """A picture or files on the clipboard are sent; text is left to the box."""
        data = QGuiApplication.clipboard().mimeData()
        if data is None:
            return False
        files = [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]
        if files:
            for path in files:
                if path.is_file():
                    self.send(path)
            return True
        if data.hasImage() and not data.hasText():
            image = QImage(data.imageData())
            if not image.isNull():
                buffer_data = QByteArray()
                buffer = QBuffer(buffer_data)
                buffer.open(QIODevice.OpenModeFlag.WriteOnly)
                image.save(buffer, "PNG")  # type: ignore[call-overload]
                self.send_bytes(datetime.now().strftime("pasted-%Y-%m-%d-%H%M%S.png"),
                                bytes(buffer_data.data()))
                return True
        return False

    # -- sending --------------------------------------------------------------------------
    def send_bytes(self, name: str, data: bytes) -> None:
        """Send `data` as a file called `name` (written to a private temporary folder)."""
        folder = tempfile.TemporaryDirectory(prefix="supporttray-")
        path = Path(folder.name) / name
        path.write_bytes(data)
        row = self.send(path)
        self._temporary[row] = folder

    def send(self, path: Path) -> UploadRow:
        row = UploadRow(path, self._start, self)
        self.rows.append(row)
        self._rows.addWidget(row)
        self._start(row)
        return row

    def _start(self, row: UploadRow) -> None:
        row.uploading()
        self._spawn(self._upload(row))

    async def _upload(self, row: UploadRow) -> None:
        from supporttray.app.transfers import TransferError

        row.task = asyncio.ensure_future(self._files.send(self._peer, row.path,
                                                          progress=row.progressed))
        try:
            await row.task
        except asyncio.CancelledError:
            row.failed(cancelled().translated())
        except TransferError as exc:
            log.info("a file was not sent: %s", exc)
            row.failed(exc.sentence.translated())
        else:
            self._done(row)
        finally:
            row.task = None

    def _done(self, row: UploadRow) -> None:
        """Sent: the message with its link is in the chat now; the row goes."""
        self.rows.remove(row)
        row.deleteLater()
        folder = self._temporary.pop(row, None)
        if folder is not None:
            with contextlib.suppress(OSError):
                folder.cleanup()


def _choose_file(parent: QWidget) -> str:
    path, _filter = QFileDialog.getOpenFileName(parent, _("Send a file"))
    return path

