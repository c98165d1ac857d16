"""Text colours follow the palette: errors and warnings stay readable on dark and light windows."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from supporttray.ui.text_colors import error_color, is_dark, secondary_color, warning_color


def palette(window: str, text: str) -> QPalette:
    colours = QPalette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        colours.setColor(role, QColor(window))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text):
        colours.setColor(role, QColor(text))
    colours.setColor(QPalette.ColorRole.PlaceholderText, QColor(text).darker(150)
                     if QColor(text).lightness() > 128 else QColor(text).lighter(250))
    return colours


def contrast(a: str, b: QColor) -> float:
    """The WCAG contrast ratio of two colours."""
    def luminance(colour: QColor) -> float:
        def channel(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        return (0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF())
                + 0.0722 * channel(colour.blueF()))
    high, low = sorted((luminance(QColor(a)), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("window, text", [
    ("#efefef", "#000000"), ("#ffffff", "#202020"),  # light themes
    ("#353535", "#ffffff"), ("#2b2b2b", "#e0e0e0"), ("#1e1e1e", "#dddddd"),  # dark themes
])
def test_error_and_warning_text_is_readable_on_the_window(
    qtbot: QtBot, window: str, text: str
) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    label.setPalette(palette(window, text))
    background = QColor(window)
    assert contrast(error_color(label), background) >= 4.5
    assert contrast(warning_color(label), background) >= 4.5


def test_a_dark_window_gets_the_light_tones_and_a_light_one_the_dark_tones(qtbot: QtBot) -> None:
    dark, light = QLabel(), QLabel()
    qtbot.addWidget(dark)
    qtbot.addWidget(light)
    dark.setPalette(palette("#353535", "#ffffff"))
    light.setPalette(palette("#efefef", "#000000"))
    assert is_dark(dark.palette()) and not is_dark(light.palette())
    assert QColor(error_color(dark)).lightness() > QColor(error_color(light)).lightness()
    assert secondary_color(dark) == dark.palette().color(QPalette.ColorRole.PlaceholderText).name()
