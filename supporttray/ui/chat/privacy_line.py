"""The line under every chat that says who keeps it and for how long, with the way to look
back (History) and the way to delete it from this computer, told first what stays elsewhere."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QToolButton, QWidget

from supporttray.core.history_privacy import Keeping, keeping_sentence
from supporttray.language.catalogue import _
from supporttray.language.sentence import shown
from supporttray.ui.sysinfo_panel import ElidedLabel
from supporttray.ui.text_colors import secondary_color

# Asks before deleting: (parent, the person's name, what the server keeps) -> go ahead?
ConfirmDelete = Callable[[QWidget, str, "bool | None"], bool]


def what_stays_on_the_server(server_archives: bool | None) -> str:
    """The sentence the confirmation adds about the server's own copy."""
    if server_archives is None:
        return _("Whether your company's server keeps its own copy is not known; SupportTray "
                 "cannot delete one there (XEP-0313 has no delete).")
    if server_archives:
        return _("Your company's server keeps its own copy; SupportTray cannot delete it "
                 "(XEP-0313 has no delete).")
    return _("Your company's server keeps no archive of your chats.")


def ask_to_delete(parent: QWidget, name: str, server_archives: bool | None) -> bool:
    """A question with the consequences spelled out; No is the default."""
    box = QMessageBox(QMessageBox.Icon.Warning, _("Delete this conversation?"), _(
        "Delete the conversation with {name} from this computer? Its messages and notes "
        "go from the history and cannot be brought back.").format(name=name),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setInformativeText(what_stays_on_the_server(server_archives))
    box.setDefaultButton(QMessageBox.StandardButton.No)
    delete = box.button(QMessageBox.StandardButton.Yes)
    delete.setText(_("Delete"))
    return box.exec() == QMessageBox.StandardButton.Yes


class PrivacyLine(QWidget):
    """"Kept on this computer for 90 days · also in your company's server archive" · History ·
    Delete…"""

    history_clicked = Signal()
    delete_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("privacyLine")
        # Cut with "…" in a narrow window (German is longer); the tooltip has all of it.
        self.label = ElidedLabel(parent=self)
        self.label.setObjectName("keepingSentence")
        # A palette, not a style sheet: the label paints its own (elided) text.
        palette = self.label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(secondary_color(self.label)))
        self.label.setPalette(palette)
        small = self.label.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.label.setFont(small)
        self.history_button = QToolButton(self)
        self.history_button.setObjectName("chatHistory")
        self.history_button.setText(_("History"))
        self.history_button.setToolTip(_("Search and read back every conversation with them"))
        self.history_button.setAutoRaise(True)
        self.history_button.clicked.connect(self.history_clicked)
        self.delete_button = QToolButton(self)
        self.delete_button.setObjectName("deleteConversation")
        # Short on the line, in full for the tooltip and a screen reader.
        self.delete_button.setText(_("Delete…"))
        self.delete_button.setToolTip(_("Delete this conversation…"))
        self.delete_button.setAccessibleName(_("Delete this conversation…"))
        self.delete_button.setAutoRaise(True)
        self.delete_button.clicked.connect(self.delete_clicked)
        for button in (self.history_button, self.delete_button):
            button.setFont(small)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.history_button)
        layout.addWidget(self.delete_button)

    def show_keeping(self, keeping: Keeping) -> None:
        text = shown(keeping_sentence(keeping))
        self.label.set_full_text(text)
        self.label.setAccessibleName(text)

    def text(self) -> str:
        return self.label.full_text()
