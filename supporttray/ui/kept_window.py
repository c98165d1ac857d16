"""Windows the tray app keeps for its whole life: closing one hides it, quitting closes it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent
from PySide6.QtWidgets import QWidget


def bring_to_front(window: QWidget) -> None:
    """Show `window` and give it the focus: restored if minimised, raised only if buried (a
    second `supporttray run`, a click while it hides under other windows).

    A window that is being shown or restored comes up on top anyway; raising one that is
    already active is a no-op some platforms warn about.
    """
    if window.isMinimized():
        window.showNormal()
    elif window.isVisible() and not window.isActiveWindow():
        window.raise_()
    else:
        window.show()
    window.activateWindow()


class KeptWindow(QWidget):
    """Close (title bar or Esc) only hides the window, so a draft or a scroll position is there
    next time; `dispose()` at quit closes it for good."""

    ESCAPE_CLOSES = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._disposed = False

    def dispose(self) -> None:
        """Close for good (the app is quitting). Subclasses stop their timers, then call this."""
        self._disposed = True
        self.close()

    def close_requested(self) -> None:
        """The user closed the window while the app runs on: hide it."""
        self.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.ESCAPE_CLOSES and event.key() == Qt.Key.Key_Escape:
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._disposed:
            event.accept()
            return
        event.ignore()
        self.close_requested()
