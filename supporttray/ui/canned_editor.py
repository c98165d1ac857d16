"""Staff mode's canned-reply editor: the snippets of the Replies menu, editable in place.

A small non-modal dialog over the chat window. What it saves goes to the user's settings file
through the chat service, and the Replies menu and Ctrl+1..9 use it at once. Snippets the
policy enforces are shown read-only. Nothing typed is lost: a failed save keeps the dialog and
its edits, and closing with unsaved edits asks first.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from supporttray.app.chat import CannedRepliesError
from supporttray.core import canned
from supporttray.language.catalogue import N_, _
from supporttray.language.sentence import shown
from supporttray.ui.text_colors import error_color, secondary_color

log = logging.getLogger("supporttray.ui")

LOCKED_TEXT: Final = N_("Your organisation manages these replies.")
PLACEHOLDER_HELP: Final = N_(
    "Placeholders: {name} their name, {os} their operating system, {local_time} the time on "
    "their clock. One not known for a person stays as typed."
)
EMPTY_LABEL: Final = N_("(empty: dropped when saved)")

SaveReplies = Callable[[list[str]], list[str]]
Preview = Callable[[str], str]


def ask_to_discard(parent: QWidget) -> bool:
    """The default question before unsaved edits are thrown away: True to discard."""
    answer = QMessageBox.question(
        parent,
        _("Discard changes?"),
        _("Your changes to the canned replies are not saved. Discard them?"),
        QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Discard


class CannedEditor(QDialog):
    """Add, remove, reorder and edit canned replies, with a preview for one requester."""

    def __init__(
        self,
        templates: list[str],
        *,
        locked: bool,
        save: SaveReplies,
        preview: Preview,
        preview_name: str,
        confirm_discard: Callable[[QWidget], bool] = ask_to_discard,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._templates = list(templates)
        self._saved = list(templates)
        self._locked = locked
        self._save = save
        self._preview_of = preview
        self._confirm_discard = confirm_discard
        self.setObjectName("cannedEditor")
        self.setWindowTitle(_("Canned replies"))
        self.setModal(False)
        self.setMinimumSize(440, 400)
        self.resize(540, 450)

        self._locked_note = QLabel(_(LOCKED_TEXT), self)
        self._locked_note.setObjectName("cannedLocked")
        self._locked_note.setWordWrap(True)
        bold = self._locked_note.font()
        bold.setBold(True)
        self._locked_note.setFont(bold)
        self._locked_note.setVisible(locked)

        self.snippet_list = QListWidget(self)
        self.snippet_list.setObjectName("snippetList")
        self.snippet_list.setAccessibleName(_("Canned replies"))
        self.snippet_list.currentRowChanged.connect(self._on_row_changed)

        self.add_button = QPushButton(_("&Add"), self)
        self.add_button.setObjectName("addSnippet")
        self.add_button.clicked.connect(self.add_snippet)
        self.remove_button = QPushButton(_("&Remove"), self)
        self.remove_button.setObjectName("removeSnippet")
        self.remove_button.clicked.connect(self.remove_snippet)
        self.up_button = QPushButton(_("Move &up"), self)
        self.up_button.setObjectName("moveSnippetUp")
        self.up_button.clicked.connect(lambda: self.move_snippet(-1))
        self.down_button = QPushButton(_("Move &down"), self)
        self.down_button.setObjectName("moveSnippetDown")
        self.down_button.clicked.connect(lambda: self.move_snippet(1))

        side = QVBoxLayout()
        side.setSpacing(4)
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            side.addWidget(button)
        side.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.snippet_list, 1)
        top.addLayout(side)

        edit_label = QLabel(_("&Text of the selected reply:"), self)
        self.snippet_edit = QPlainTextEdit(self)
        self.snippet_edit.setObjectName("snippetEdit")
        self.snippet_edit.setTabChangesFocus(True)
        self.snippet_edit.setReadOnly(locked)
        self.snippet_edit.setFixedHeight(self.snippet_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.snippet_edit.textChanged.connect(self._on_text_changed)
        edit_label.setBuddy(self.snippet_edit)

        self._help = QLabel(_(PLACEHOLDER_HELP), self)
        self._help.setObjectName("placeholderHelp")
        self._help.setWordWrap(True)
        self._help.setTextFormat(Qt.TextFormat.PlainText)
        self._help.setStyleSheet(f"color: {secondary_color(self._help)};")

        self._preview_label = QLabel(self)
        self._preview_label.setTextFormat(Qt.TextFormat.PlainText)
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("snippetPreview")
        self.preview.setReadOnly(True)
        self.preview.setTabChangesFocus(True)
        self.preview.setFixedHeight(self.preview.fontMetrics().lineSpacing() * 3 + 12)
        self._preview_label.setBuddy(self.preview)

        self._error = QLabel(self)
        self._error.setObjectName("cannedError")
        self._error.setWordWrap(True)
        self._error.setTextFormat(Qt.TextFormat.PlainText)
        self._error.setStyleSheet(f"color: {error_color(self._error)};")
        self._error.hide()

        if locked:
            self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        else:
            self.buttons = QDialogButtonBox(
                QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                self,
            )
            save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
            save_button.setToolTip(_("Save the replies (Ctrl+S)"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self._locked_note)
        layout.addLayout(top, 1)
        layout.addWidget(edit_label)
        layout.addWidget(self.snippet_edit)
        layout.addWidget(self._help)
        layout.addWidget(self._preview_label)
        layout.addWidget(self.preview)
        layout.addWidget(self._error)
        layout.addWidget(self.buttons)

        save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save_shortcut.activated.connect(self.save)

        self.set_preview(preview, preview_name)
        self._fill_list(0)

    # -- what the chat window calls ---------------------------------------------------------
    def set_preview(self, preview: Preview, name: str) -> None:
        """Fill the preview for another requester (the chat window's current tab)."""
        self._preview_of = preview
        self._preview_label.setText(_("&Preview for {name}:").format(name=name))
        self._render_preview()

    @property
    def locked(self) -> bool:
        return self._locked

    def has_changes(self) -> bool:
        return self._templates != self._saved

    def templates(self) -> list[str]:
        """The snippets as they stand in the dialog (edits included)."""
        return list(self._templates)

    def error_text(self) -> str:
        return self._error.text() if self._error.isVisibleTo(self) else ""

    # -- editing ----------------------------------------------------------------------------
    def add_snippet(self) -> None:
        if self._locked:
            return
        row = self.snippet_list.currentRow() + 1 if self._templates else 0
        self._templates.insert(row, "")
        self._fill_list(row)
        self.snippet_edit.setFocus()

    def remove_snippet(self) -> None:
        row = self.snippet_list.currentRow()
        if self._locked or not 0 <= row < len(self._templates):
            return
        del self._templates[row]
        self._fill_list(min(row, len(self._templates) - 1))

    def move_snippet(self, step: int) -> None:
        row = self.snippet_list.currentRow()
        target = row + step
        if self._locked or not (0 <= row < len(self._templates) and 0 <= target < len(
            self._templates
        )):
            return
        moved = self._templates
        moved[row], moved[target] = moved[target], moved[row]
        self._fill_list(target)

    def save(self) -> None:
        """Save (Ctrl+S): closes on success; on failure says why and keeps every edit."""
        if self._locked:
            return
        try:
            kept = self._save(list(self._templates))
        except CannedRepliesError as exc:
            self._error.setText(shown(exc))
            self._error.show()
            return
        except Exception:
            log.exception("saving the canned replies failed")
            self._error.setText(
                _("The replies could not be saved. Your edits are still here; try again.")
            )
            self._error.show()
            return
        self._error.hide()
        self._templates = list(kept)
        self._saved = list(kept)
        self.accept()

    # -- closing ----------------------------------------------------------------------------
    def reject(self) -> None:
        """Cancel, Esc or the title bar's close (QDialog routes it here): unsaved edits are
        only thrown away when the user says so."""
        if self.has_changes() and not self._confirm_discard(self):
            return
        super().reject()

    # -- internals --------------------------------------------------------------------------
    def _fill_list(self, current: int) -> None:
        self.snippet_list.blockSignals(True)
        self.snippet_list.clear()
        for template in self._templates:
            self.snippet_list.addItem(self._item(template))
        self.snippet_list.blockSignals(False)
        if self._templates:
            self.snippet_list.setCurrentRow(max(0, min(current, len(self._templates) - 1)))
        self._on_row_changed(self.snippet_list.currentRow())

    def _item(self, template: str) -> QListWidgetItem:
        item = QListWidgetItem(canned.label(template) if template.strip() else _(EMPTY_LABEL))
        item.setToolTip(template)
        return item

    def _on_row_changed(self, row: int) -> None:
        has_row = 0 <= row < len(self._templates)
        self.snippet_edit.blockSignals(True)
        self.snippet_edit.setPlainText(self._templates[row] if has_row else "")
        self.snippet_edit.moveCursor(self.snippet_edit.textCursor().MoveOperation.End)
        self.snippet_edit.blockSignals(False)
        self.snippet_edit.setEnabled(has_row)
        editable = not self._locked
        self.add_button.setEnabled(editable)
        self.remove_button.setEnabled(editable and has_row)
        self.up_button.setEnabled(editable and has_row and row > 0)
        self.down_button.setEnabled(editable and has_row and row < len(self._templates) - 1)
        self._render_preview()

    def _on_text_changed(self) -> None:
        row = self.snippet_list.currentRow()
        if self._locked or not 0 <= row < len(self._templates):
            return
        text = self.snippet_edit.toPlainText()
        self._templates[row] = text
        item = self.snippet_list.item(row)
        if item is not None:
            fresh = self._item(text)
            item.setText(fresh.text())
            item.setToolTip(fresh.toolTip())
        self._render_preview()

    def _render_preview(self) -> None:
        row = self.snippet_list.currentRow()
        template = self._templates[row] if 0 <= row < len(self._templates) else ""
        try:
            text = self._preview_of(template) if template.strip() else ""
        except Exception:
            # A preview is a courtesy: failing to fill one must not disturb editing.
            log.warning("could not fill the canned reply preview", exc_info=True)
            text = template
        self.preview.setPlainText(text)
