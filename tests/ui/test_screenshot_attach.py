"""From the ask window a person sends a redacted screenshot with the question."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from supporttray.core.connection import ConnectionMonitor
from supporttray.core.presence import PresenceBook
from supporttray.ui.ask_window import AskWindow
from supporttray.ui.icons import IconSet
from tests.helpers import FakeClock
from tests.ui.chat_fakes import FakeChat, Spawner

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


class FilesSeen:
    """Stands in for app.transfers.FileTransfers: keeps what would be uploaded."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, bytes, str | None]] = []

    def sends_files(self) -> bool:
        return True

    async def send(self, peer: str, path: Path, text: str = "", *,
                   thread: str | None = None) -> None:
        self.sent.append((peer, path.name, path.read_bytes(), thread))


def desktop() -> QImage:
    image = QImage(640, 400, QImage.Format.Format_RGB32)
    image.fill(QColor(240, 240, 240))
    return image


@pytest.fixture
def spawner() -> Iterator[Spawner]:
    spawner = Spawner()
    yield spawner
    spawner.close()


def test_the_question_goes_first_then_the_redacted_screenshot_in_its_thread(
    qtbot: QtBot, spawner: Spawner, book: PresenceBook, connection: ConnectionMonitor,
    icons: IconSet, clock: FakeClock,
) -> None:
    # given the ask window with files available and a question typed
    chat, files = FakeChat(), FilesSeen()
    window = AskWindow(chat, book, connection, icons, spawn=spawner, open_chat=lambda _p: None,
                       clock=clock, files=files)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.open("The installer says error 1603")
    spawner.run()
    attachment = window.screenshots
    assert attachment is not None
    attachment.capture = desktop  # the offscreen platform has no real screen
    # when the person attaches a screenshot: the window steps aside while it is taken
    attachment.button.click()
    assert not window.isVisible()
    qtbot.waitUntil(lambda: attachment.dialog is not None and attachment.dialog.isVisible())
    assert window.isVisible()
    # and blacks out a part, and attaches it
    dialog = attachment.dialog
    assert dialog is not None
    canvas = dialog.canvas
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=canvas.to_widget(QPoint(20, 20)))
    qtbot.mouseMove(canvas, canvas.to_widget(QPoint(220, 120)))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=canvas.to_widget(QPoint(220, 120)))
    dialog.attach_button.click()
    assert attachment.label.text().startswith("Screenshot attached (")
    # and sends the question
    window.send_button.click()
    spawner.run()
    # then the question went, and after it the picture, to the same person, in its thread
    ((plan, text, _sysinfo),) = chat.asked
    assert text == "The installer says error 1603"
    ((peer, name, png, thread),) = files.sent
    assert peer == plan.to and thread == plan.thread
    assert name.startswith("screenshot-") and name.endswith(".png")
    # and in the uploaded PNG the region is really black, the rest as it was
    sent = QImage.fromData(png, "PNG")
    assert sent.pixelColor(100, 60) == QColor(0, 0, 0)
    assert sent.pixelColor(400, 300) == QColor(240, 240, 240)
    assert attachment.png is None
    window.dispose()
