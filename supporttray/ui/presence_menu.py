"""The tray's "My status" submenu: choose Available, Away, Busy or Offline, and a message."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu, QToolButton, QWidget

from supporttray.core.own_presence import MAX_STATUS_CHARS, OwnPresence
from supporttray.core.presence import Availability
from supporttray.core.text import one_line
from supporttray.language.catalogue import N_, _
from supporttray.ui.icons import IconKey, IconSet
from supporttray.ui.presence_text import menu_text

CHOICES = (
    (Availability.AVAILABLE, N_("&Available")),
    (Availability.AWAY, N_("A&way")),
    (Availability.BUSY, N_("&Busy (do not disturb)")),
    (Availability.OFFLINE, N_("Appear &offline")),
)
MENU_MESSAGE_CHARS = 40


def fill_presence_menu(menu: QMenu, own: OwnPresence, icons: IconSet,
                       edit_message: QInputDialog | None = None) -> None:
    """(Re)build `menu` for the current choice; the actions set `own` directly."""
    menu.clear()
    current = own.current
    title = current.show.label
    if current.status:
        title += f" · “{one_line(current.status, MENU_MESSAGE_CHARS)}”"
    menu.setTitle(menu_text(_("My status: {status}").format(status=title)))
    menu.setIcon(icons.icon(IconKey.for_availability(current.show)))
    for availability, label in CHOICES:
        action = menu.addAction(icons.icon(IconKey.for_availability(availability)), _(label))
        action.setCheckable(True)
        action.setChecked(availability is current.show)
        action.triggered.connect(
            lambda _checked=False, a=availability: own.set(a, own.current.status))
    menu.addSeparator()
    recent = [m for m in own.recent_messages if m != current.status]
    for message in recent:
        action = menu.addAction(menu_text(f"“{one_line(message, MENU_MESSAGE_CHARS)}”"))
        action.setToolTip(message)
        action.triggered.connect(
            lambda _checked=False, m=message: own.set(own.current.show, m))
    set_message = menu.addAction(_("Status &message…"))
    if edit_message is not None:
        set_message.triggered.connect(lambda: open_message_dialog(edit_message, own))
    if current.status:
        clear = menu.addAction(_("&Clear message"))
        clear.triggered.connect(lambda: own.set(own.current.show, ""))


def message_dialog(own: OwnPresence, parent: QWidget | None = None) -> QInputDialog:
    """The "Status message…" dialog (non-modal; `open_message_dialog` fills and shows it);
    OK keeps the chosen availability and sets the typed message."""
    dialog = QInputDialog(parent)
    dialog.setObjectName("statusMessageDialog")
    dialog.setWindowTitle(_("Status message"))
    dialog.setLabelText(_("What others see next to your status:"))
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    line = dialog.findChild(QLineEdit)
    if line is not None:
        line.setMaxLength(MAX_STATUS_CHARS)
        line.setClearButtonEnabled(True)
        # QInputDialog does not make its label the edit's buddy: name the edit ourselves.
        line.setAccessibleName(_("Status message"))
        line.setAccessibleDescription(_("What others see next to your status"))
        for clear in line.findChildren(QToolButton):
            clear.setAccessibleName(_("Clear the message"))
    dialog.textValueSelected.connect(lambda text: own.set(own.current.show, text))
    return dialog


def open_message_dialog(dialog: QInputDialog, own: OwnPresence) -> None:
    dialog.setTextValue(own.current.status)
    dialog.open()
    dialog.raise_()
    dialog.activateWindow()
