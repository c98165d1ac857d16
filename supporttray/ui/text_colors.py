"""Text colours taken from the palette, so that every text stays readable in light and dark
themes alike (a fixed dark red is unreadable on a dark window)."""

from __future__ import annotations

from typing import Final

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

# Each tone in a light-theme and a dark-theme variant, both at least 4.5:1 (WCAG AA) against
# the usual window colours of their kind (#efefef and white; #2b2b2b to #353535).
ERROR_TONES: Final = ("#b03020", "#ff7b6b")
WARNING_TONES: Final = ("#8a5200", "#f0b04a")


def secondary_color(widget: QWidget) -> str:
    """The muted text colour of the widget's palette, as a stylesheet colour."""
    return widget.palette().color(QPalette.ColorRole.PlaceholderText).name()


def error_color(widget: QWidget) -> str:
    """Red for a sentence about a failure, light or dark after the widget's background."""
    return _tone(widget, ERROR_TONES)


def warning_color(widget: QWidget) -> str:
    """Amber for a sentence about a limitation (offline, nobody available)."""
    return _tone(widget, WARNING_TONES)


def is_dark(palette: QPalette) -> bool:
    """A dark theme: the window is darker than the text on it."""
    return (palette.color(QPalette.ColorRole.Window).lightness()
            < palette.color(QPalette.ColorRole.WindowText).lightness())


def _tone(widget: QWidget, tones: tuple[str, str]) -> str:
    return QColor(tones[1] if is_dark(widget.palette()) else tones[0]).name()
