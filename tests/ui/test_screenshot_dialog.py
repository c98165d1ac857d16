"""The screenshot consent dialog: what is blacked out is black in the PNG that is sent."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from supporttray.ui.screenshot_dialog import ScreenshotDialog

# The offscreen platform cannot size a dialog's native window (QDialog asks it to).
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

WHITE = QColor(255, 255, 255)


def screen_with_a_password_field() -> QImage:
    image = QImage(800, 500, QImage.Format.Format_RGB32)
    image.fill(WHITE)
    # the "secret": a coloured field at (300, 200)-(500, 240)
    for x in range(300, 500):
        for y in range(200, 240):
            image.setPixelColor(x, y, QColor(30, 120, 200))
    return image


def drag(qtbot: QtBot, dialog: ScreenshotDialog, start: QPoint, end: QPoint) -> None:
    canvas = dialog.canvas
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=canvas.to_widget(start))
    qtbot.mouseMove(canvas, canvas.to_widget(end))
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=canvas.to_widget(end))


def opened(qtbot: QtBot, image: QImage) -> ScreenshotDialog:
    dialog = ScreenshotDialog(image)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def sent_image(dialog: ScreenshotDialog) -> QImage:
    image = QImage.fromData(dialog.png(), "PNG")
    assert not image.isNull()
    return image


def test_a_dragged_box_is_black_in_the_sent_png_and_the_rest_is_untouched(qtbot: QtBot) -> None:
    # given the consent dialog on a screenshot with something private on it
    dialog = opened(qtbot, screen_with_a_password_field())
    # when the person drags a box over it (the canvas is scaled: allow for rounding)
    drag(qtbot, dialog, QPoint(290, 190), QPoint(510, 250))
    # then every pixel of the private field is black in the PNG that would be sent
    sent = sent_image(dialog)
    assert sent.size() == screen_with_a_password_field().size()
    private = [sent.pixelColor(x, y) for x in range(300, 500, 7) for y in range(200, 240, 3)]
    assert all(color == QColor(0, 0, 0) for color in private)
    # and what was not covered is as it was
    assert sent.pixelColor(100, 100) == WHITE
    assert sent.pixelColor(700, 400) == WHITE


def test_crop_sends_only_the_chosen_part_with_its_black_box(qtbot: QtBot) -> None:
    dialog = opened(qtbot, screen_with_a_password_field())
    drag(qtbot, dialog, QPoint(290, 190), QPoint(510, 250))
    # when the person crops to the area around the field
    dialog.crop_button.click()
    drag(qtbot, dialog, QPoint(200, 100), QPoint(600, 300))
    # then only that part is sent, and the field inside it is still black
    sent = sent_image(dialog)
    assert abs(sent.width() - 400) <= 4 and abs(sent.height() - 200) <= 4
    assert sent.pixelColor(200, 120) == QColor(0, 0, 0)  # the field, now at (100..300, 100..140)
    assert sent.pixelColor(10, 10) == WHITE


def test_undo_takes_back_the_last_box(qtbot: QtBot) -> None:
    dialog = opened(qtbot, screen_with_a_password_field())
    drag(qtbot, dialog, QPoint(10, 10), QPoint(100, 100))
    dialog.undo_button.click()
    assert sent_image(dialog).pixelColor(50, 50) == WHITE


def test_cancel_attaches_nothing(qtbot: QtBot) -> None:
    dialog = opened(qtbot, screen_with_a_password_field())
    with qtbot.waitSignal(dialog.rejected):
        dialog.reject()
    assert dialog.result() == ScreenshotDialog.DialogCode.Rejected
