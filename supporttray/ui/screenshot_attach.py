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
from supporttray.language.catalogue import N_, _
from supporttray.ui.screenshot_dialog import ScreenshotDialog

if TYPE_CHECKING:
    from supporttray.app.transfers import FileTransfers

log = logging.getLogger("supporttray.ui")

Spawn = Callable[[Coroutine[Any, Any, Any]], object]
# Long enough for the window manager to take the hidden window off the screen.
HIDE_BEFORE_CAPTURE_MS = 350
NOT_CAPTURED = N_("The screen could not be captured.")


def grab_screen() -> QImage:
    """The whole primary screen as it is now."""
    screen = QGuiApplication.primaryScreen()
    return screen.grabWindow(0).toImage() if screen is not None else QImage()


class ScreenshotFlow:
    """Step aside (hide `aside`), capture the screen, come back, and ask consent with the
    redaction dialog: what the ask window and the chats share. `on_png` gets what the person
    agreed to send; `on_failure` is called when the screen could not be captured."""

    def __init__(self, aside: Callable[[], QWidget], dialog_parent: QWidget, *,
                 on_png: Callable[[bytes], None], on_failure: Callable[[], None],
                 capture: Callable[[], QImage] = grab_screen) -> None:
        self._aside = aside
        self._parent = dialog_parent
        self._on_png = on_png
        self._on_failure = on_failure
        self.capture = capture  # replaceable: the offscreen tests have no screen
        self.dialog: ScreenshotDialog | None = None

    def start(self) -> None:
        self._aside().hide()
        QTimer.singleShot(HIDE_BEFORE_CAPTURE_MS, self._captured)

    def _captured(self) -> None:
        image = self.capture()
        self._aside().show()
        if image.isNull():
            self._on_failure()
            return
        self.dialog = ScreenshotDialog(image, self._parent)
        self.dialog.accepted.connect(self._consented)
        self.dialog.open()

    def _consented(self) -> None:
        if self.dialog is not None:
            png = self.dialog.png()
            self.dialog.deleteLater()
            self.dialog = None
            self._on_png(png)


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
        self.png: bytes | None = None
        self._flow = ScreenshotFlow(lambda: host, host, on_png=self._attached,
                                    on_failure=self._not_captured, capture=capture)
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

    @property
    def capture(self) -> Callable[[], QImage]:
        return self._flow.capture

    @capture.setter
    def capture(self, capture: Callable[[], QImage]) -> None:
        self._flow.capture = capture

    @property
    def dialog(self) -> ScreenshotDialog | None:
        """The consent dialog while it is open."""
        return self._flow.dialog

    def start(self) -> None:
        """Step aside, capture, come back with the consent dialog."""
        self._flow.start()

    def _attached(self, png: bytes) -> None:
        self.png = png
        self._render()

    def _not_captured(self) -> None:
        self.label.setText(_(NOT_CAPTURED))

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
