"""The Settings window (tray menu, "Settings…"): every key a person may change, one row each.

Rows come from the schema (`settings_form`); keys the machine policy enforces are shown as
they are, read-only, with "Set by your organisation". Save checks every changed value first:
one bad value gets its sentence under its row and nothing is saved. Enter saves, Esc cancels.
"""

from __future__ import annotations

import itertools
import logging
from typing import Final, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from supporttray.config.schema import KeySpec
from supporttray.core import canned
from supporttray.language.catalogue import N_, _
from supporttray.language.sentence import Sentence, shown
from supporttray.ui.settings_form import Field, label_for, section_of
from supporttray.ui.text_colors import error_color, secondary_color

log = logging.getLogger("supporttray.ui")

LOCKED_TEXT: Final = N_("Set by your organisation")
SAVED_NOTHING: Final = N_("Nothing was saved: correct the settings marked below.")
# Settings every window reads when it is built: a change shows from the next start on.
AT_NEXT_START: Final = frozenset({"app.language"})
NEXT_START_TEXT: Final = N_("Takes effect the next time {app_name} starts.")


class SettingsBackend(Protocol):
    """What the window needs (app.settings_editor.SettingsEditor in the app)."""

    def shown(self) -> list[KeySpec]: ...

    def value(self, key: str) -> object: ...

    def is_locked(self, key: str) -> bool: ...

    def problem(self, key: str, value: object) -> Sentence | None: ...

    def save(self, changes: dict[str, object]) -> frozenset[str]: ...


class SettingsWindow(QDialog):
    """Non-modal; `open_window()` fills it with the current values each time."""

    def __init__(self, backend: SettingsBackend, *, app_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.setObjectName("settingsWindow")
        self.setWindowTitle(_("{app_name} settings").format(app_name=app_name))
        self.setAccessibleName(_("{app_name} settings").format(app_name=app_name))
        self.setModal(False)
        self._app_name = app_name
        self.fields: dict[str, Field] = {}
        self.errors: dict[str, QLabel] = {}
        self.locked_notes: dict[str, QLabel] = {}

        self.summary = QLabel(self)
        self.summary.setObjectName("settingsSummary")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(_("Problem"))
        self.summary.setStyleSheet(f"color: {error_color(self.summary)}; font-weight: bold")
        self.summary.hide()

        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        forms: dict[str, QFormLayout] = {}
        for spec in backend.shown():
            section = section_of(spec)
            if section not in forms:
                box = QGroupBox(section, body)
                forms[section] = QFormLayout(box)
                forms[section].setFieldGrowthPolicy(
                    QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                body_layout.addWidget(box)
            self._add_row(forms[section], spec, body)
        body_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setDefault(True)  # Enter saves, from any row but the multi-line ones
        save.setAccessibleName(_("Save settings"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self._chain_tab_order()
        self.resize(560, 620)

    def _add_row(self, form: QFormLayout, spec: KeySpec, parent: QWidget) -> None:
        field = Field(spec, parent, edit_replies=self._edit_replies)
        self.fields[spec.key] = field
        cell = QWidget(parent)
        cell_layout = QVBoxLayout(cell)
        cell_layout.setContentsMargins(0, 0, 0, 0)
        cell_layout.setSpacing(2)
        cell_layout.addWidget(field.widget)
        note = QLabel(_(LOCKED_TEXT), cell)
        note.setObjectName(f"locked:{spec.key}")
        note.setStyleSheet(f"color: {secondary_color(self)}; font-style: italic")
        note.hide()
        error = QLabel(cell)
        error.setObjectName(f"error:{spec.key}")
        error.setWordWrap(True)
        error.setStyleSheet(f"color: {error_color(error)}")
        error.hide()
        cell_layout.addWidget(note)
        if spec.key in AT_NEXT_START:
            later = QLabel(_(NEXT_START_TEXT).format(app_name=self._app_name), cell)
            later.setObjectName(f"next-start:{spec.key}")
            later.setWordWrap(True)
            later.setStyleSheet(f"color: {secondary_color(self)}")
            cell_layout.addWidget(later)
        cell_layout.addWidget(error)
        self.locked_notes[spec.key] = note
        self.errors[spec.key] = error
        if field.editor == "checkbox":
            form.addRow(cell)  # the check box carries its own label
        else:
            label = QLabel(f"{label_for(spec)}:", parent)
            label.setBuddy(field.widget)
            label.setToolTip(_(spec.doc))
            form.addRow(label, cell)

    def _chain_tab_order(self) -> None:
        # Tab goes down the rows in the order shown, then to Save and Cancel.
        widgets = [f.widget.focusProxy() or f.widget for f in self.fields.values()]
        widgets += list(self.buttons.buttons())
        for first, second in itertools.pairwise(widgets):
            QWidget.setTabOrder(first, second)

    # -- showing ------------------------------------------------------------------------

    def open_window(self) -> None:
        """Show the current settings (as the app uses them now) and bring the window up."""
        self.load()
        self.show()
        self.raise_()
        self.activateWindow()

    def load(self) -> None:
        self.summary.hide()
        for key, field in self.fields.items():
            field.set_value(self.backend.value(key))
            locked = self.backend.is_locked(key)
            field.set_locked(locked)
            self.locked_notes[key].setVisible(locked)
            if locked:
                field.widget.setAccessibleDescription(f"{_(LOCKED_TEXT)}. {_(field.spec.doc)}")
            self.errors[key].hide()

    # -- saving -------------------------------------------------------------------------

    def save(self) -> bool:
        """Check every row, then keep all changes or none. True when saved (window closes)."""
        from supporttray.app.settings_editor import SettingsSaveError

        changes: dict[str, object] = {}
        bad: list[str] = []
        for key, field in self.fields.items():
            self.errors[key].hide()
            if self.backend.is_locked(key):
                continue
            value = field.value()
            problem = self.backend.problem(key, value)
            if problem is not None:
                self._show_error(key, f"{label_for(field.spec)}: {shown(problem)}.")
                bad.append(key)
            else:
                changes[key] = value
        if bad:
            self._show_summary(_(SAVED_NOTHING))
            self.fields[bad[0]].widget.setFocus()
            return False
        try:
            self.backend.save(changes)
        except SettingsSaveError as exc:
            self._show_summary(shown(exc))
            return False
        self.summary.hide()
        self.accept()
        return True

    def _show_error(self, key: str, sentence: str) -> None:
        label = self.errors[key]
        label.setText(sentence)
        label.show()
        self.fields[key].widget.setAccessibleDescription(sentence)

    def _show_summary(self, sentence: str) -> None:
        self.summary.setText(sentence)
        self.summary.show()

    # -- canned replies: the chat window's editor, over this window -----------------------

    def _edit_replies(self, replies: list[str]) -> list[str] | None:
        from supporttray.ui.canned_editor import CannedEditor

        kept: list[str] = []

        def keep(templates: list[str]) -> list[str]:
            kept[:] = [t.strip() for t in templates if t.strip()]
            return list(kept)

        editor = CannedEditor(
            replies, locked=self.backend.is_locked("staff.canned_replies"), save=keep,
            preview=lambda text: canned.fill(text, {"name": "Alice"}), preview_name="Alice",
            parent=self)
        editor.setWindowModality(Qt.WindowModality.WindowModal)
        accepted = editor.exec() == QDialog.DialogCode.Accepted
        editor.deleteLater()
        return kept if accepted else None
