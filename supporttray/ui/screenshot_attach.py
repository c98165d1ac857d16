"""The ask window's "Attach screenshot…": capture (the window steps aside), consent with
redaction, then the picture goes right after the question, in its thread.

The screen is captured with the ask window hidden, so the picture shows what the person was
looking at, not our window over it. A part of the screen (one window) is chosen with the
dialog's crop. Nothing is uploaded until the question itself is sent.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from supporttray.core.file_offer import size_text
from supporttray.language.catalogue import _
from supporttray.ui.screenshot_dialog import ScreenshotDialog

if TYPE_CHECKING:
    from supporttray.app.transfers import FileTransfers

log = logging.getLogger("supporttray.ui")

Spawn = Callable[[Coroutine[Any, Any, Any]], object]
# Long enough for the window manager to take the hidden window off the screen.
HIDE_BEFORE_CAPTURE_MS = 350


def grab_screen() -> QImage:
    """The whole primary screen as it is now."""
    screen = QGuiApplication.primaryScreen()
    return screen.grabWindow(0).toImage() if screen is not None else QImage()


class ScreenshotAttachment(QWidget):
    """A button that attaches a redacted screenshot, and the line that says one is attached."""

    def __init__(self, files: FileTransfers, host: QWidget, *, spawn: Spawn,
                 capture: Callable[[], QImage] = grab_screen,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screenshotAttachment")
        self._files = files
        self._host = host
        self._spawn = spawn
        self.capture = capture  # replaceable: the offscreen tests have no screen
        self.png: bytes | None = None
        self.dialog: ScreenshotDialog | None = None
        self.button = QPushButton(_("Attach &screenshot…"), self)
        self.button.setObjectName("attachScreenshot")
        self.button.clicked.connect(self.start)
        self.label = QLabel(self)
        self.remove_button = QPushButton(_("Remove"), self)
        self.remove_button.clicked.connect(self.clear)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.button)
        row.addWidget(self.label, 1)
        row.addWidget(self.remove_button)
        self._render()

    def start(self) -> None:
        """Step aside, capture, come back with the consent dialog."""
        self._host.hide()
        QTimer.singleShot(HIDE_BEFORE_CAPTURE_MS, self._captured)

    def _captured(self) -> None:
        image = self.capture()
        self._host.show()
        if image.isNull():
            self.label.setText(_("The screen could not be captured."))
            return
        self.dialog = ScreenshotDialog(image, self._host)
        self.dialog.accepted.connect(self._consented)
        self.dialog.open()

    def _consented(self) -> None:
        if self.dialog is not None:
            self.png = self.dialog.png()
            self.dialog.deleteLater()
            self.dialog = None
        self._render()

    def clear(self) -> None:
        self.png = None
        self._render()

    def send_with(self, peer: str, thread: str | None) -> None:
        """Send the attached picture to `peer` after the question (in its thread)."""
        png = self.png
        if png is None:
            return
        self.png = None
        self._render()
        self._spawn(self._send(peer, thread, png))

    async def _send(self, peer: str, thread: str | None, png: bytes) -> None:
        from supporttray.app.transfers import TransferError

        name = datetime.now().strftime("screenshot-%Y-%m-%d-%H%M%S.png")
        with tempfile.TemporaryDirectory(prefix="supporttray-") as folder:  # 0700
            path = Path(folder) / name
            path.write_bytes(png)
            try:
                await self._files.send(peer, path, "", thread=thread)
            except TransferError as exc:
                log.warning("the screenshot was not sent: %s", exc)
                self.png = png  # still attached, for another try
                self._render(_("The screenshot was not sent: {reason}").format(
                    reason=exc.sentence.translated()))
                with contextlib.suppress(RuntimeError):  # the window is gone at quit
                    self._host.show()

    def _render(self, error: str = "") -> None:
        attached = self.png is not None
        if error:
            self.label.setText(error)
        elif attached and self.png is not None:
            self.label.setText(_("Screenshot attached ({size})").format(
                size=size_text(len(self.png))))
        else:
            self.label.setText("")
        self.remove_button.setVisible(attached)
        self.button.setEnabled(not attached)
