"""From a schema key to the control that edits it: the Settings window's rows are built here.

One rule per kind of value (and per string format where a better control exists), so a key
added to `config/schema.py` with an audience gets a row without anyone writing one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from supporttray.config.schema import KeySpec
from supporttray.config.sysinfo_fields import KEYS as SYSINFO_KEYS
from supporttray.config.sysinfo_fields import LABELS as SYSINFO_LABELS
from supporttray.language.catalogue import N_, _, ngettext

Editor = Literal["checkbox", "choice", "whole_number", "number", "line", "checklist", "lines",
                 "table", "replies"]

# The key whose editor already exists (the chat window's): a button opens it.
CANNED_KEY = "staff.canned_replies"
# Qt's spin boxes hold a C int; schema bounds past it are not for people to type anyway.
_INT_LIMIT = 2**31 - 1

SECTION_TITLES = {
    "app": N_("General"),
    "staff": N_("Staff"),
    "sysinfo": N_("System information"),
    "history": N_("Chat history"),
    "presence": N_("Presence"),
}

# Labels a person reads better than the key; any other key is named after itself.
LABELS = {
    "staff.sound": N_("Play a sound for each new request"),
    "staff.canned_replies": N_("Canned replies"),
    "sysinfo.fields": N_("System information sent"),
    "sysinfo.consent": N_("Before it is sent"),
    "history.retention_days": N_("Keep chat history (days, 0 = forever)"),
    "app.autostart": N_("Start when I log in"),
    "app.language": N_("Language"),
    "presence.auto_away_minutes": N_("Away after idle (minutes, 0 = off)"),
    "presence.auto_xa_minutes": N_("Extended away after idle (minutes, 0 = off)"),
    "presence.on_call_hours": N_("On-call hours"),
}

CHOICE_LABELS = {
    ("app.language", "system"): N_("System default"),
    # A language is named in itself, whatever the window's language: a person who cannot read
    # the current one still finds their own.
    ("app.language", "en"): "English",
    ("app.language", "de"): "Deutsch",
    ("sysinfo.consent", "preview"): N_("Show it to me before it is sent"),
    ("sysinfo.consent", "always"): N_("Send it without asking"),
    ("sysinfo.consent", "never"): N_("Never send it"),
}


def editor_for(spec: KeySpec) -> Editor:
    """Which control edits `spec`'s values."""
    if spec.key == CANNED_KEY:
        return "replies"
    if spec.kind == "bool":
        return "checkbox"
    if spec.kind == "choice":
        return "choice"
    if spec.kind == "int":
        return "whole_number"
    if spec.kind == "float":
        return "number"
    if spec.kind == "str_list":
        return "checklist" if spec.format == "sysinfo_field" else "lines"
    if spec.kind == "str_map":
        return "table"
    return "line"


def label_for(spec: KeySpec) -> str:
    """The row's label: a written one, else the key read aloud (`x.some_thing` -> "Some
    thing")."""
    if spec.key in LABELS:
        return _(LABELS[spec.key])
    words = spec.key.split(".", 1)[-1].replace("_", " ")
    return words[:1].upper() + words[1:]


def section_of(spec: KeySpec) -> str:
    prefix = spec.key.split(".", 1)[0]
    return _(SECTION_TITLES[prefix]) if prefix in SECTION_TITLES else prefix.capitalize()


class Field:
    """One key's control: shows a value, gives back what the person made of it."""

    def __init__(self, spec: KeySpec, parent: QWidget,
                 edit_replies: Callable[[list[str]], list[str] | None] | None = None) -> None:
        self.spec = spec
        self.editor = editor_for(spec)
        self._edit_replies = edit_replies
        self._replies: list[str] = []
        self.widget = self._build(parent)
        self.widget.setObjectName(f"setting:{spec.key}")
        self.widget.setAccessibleName(label_for(spec))
        self.widget.setAccessibleDescription(_(spec.doc))
        self.widget.setToolTip(_(spec.doc))

    # -- building -------------------------------------------------------------------------

    def _build(self, parent: QWidget) -> QWidget:
        spec = self.spec
        if self.editor == "checkbox":
            return QCheckBox(label_for(spec), parent)
        if self.editor == "choice":
            combo = QComboBox(parent)
            for choice in spec.choices:
                combo.addItem(_(CHOICE_LABELS.get((spec.key, choice), choice)), choice)
            return combo
        if self.editor == "whole_number":
            box = QSpinBox(parent)
            box.setRange(int(max(spec.minimum if spec.minimum is not None else -_INT_LIMIT,
                                 -_INT_LIMIT)),
                         int(min(spec.maximum if spec.maximum is not None else _INT_LIMIT,
                                 _INT_LIMIT)))
            return box
        if self.editor == "number":
            number = QDoubleSpinBox(parent)
            number.setDecimals(2)
            # The schema's bounds are judged on save (an exclusive minimum has no spin-box
            # form), so a bad number gets its sentence instead of being silently clamped.
            number.setRange(-1e9, 1e9)
            return number
        if self.editor == "checklist":
            checklist = QListWidget(parent)
            for name in SYSINFO_KEYS:
                item = QListWidgetItem(SYSINFO_LABELS[name], checklist)
                item.setData(Qt.ItemDataRole.UserRole, name)
                item.setToolTip(name)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            checklist.setMaximumHeight(checklist.sizeHintForRow(0) * 5 + 8)
            return checklist
        if self.editor in ("lines", "table"):
            text = QPlainTextEdit(parent)
            text.setTabChangesFocus(True)
            text.setPlaceholderText(_("One per line") if self.editor == "lines"
                                    else _("One per line: Label = link"))
            text.setFixedHeight(text.fontMetrics().lineSpacing() * 4 + 12)
            return text
        if self.editor == "replies":
            return self._replies_row(parent)
        return QLineEdit(parent)

    def _replies_row(self, parent: QWidget) -> QWidget:
        row = QWidget(parent)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self._replies_summary = QLabel(row)
        self.replies_button = QPushButton(_("Edit replies…"), row)
        self.replies_button.setObjectName("editReplies")
        self.replies_button.setAccessibleName(_("Edit canned replies"))
        self.replies_button.clicked.connect(self._open_replies)
        layout.addWidget(self._replies_summary, 1)
        layout.addWidget(self.replies_button)
        row.setFocusProxy(self.replies_button)
        return row

    def _open_replies(self) -> None:
        if self._edit_replies is None:
            return
        edited = self._edit_replies(list(self._replies))
        if edited is not None:
            self._show_replies(edited)

    def _show_replies(self, replies: list[str]) -> None:
        self._replies = list(replies)
        count = len(self._replies)
        self._replies_summary.setText(
            ngettext("{count} reply", "{count} replies", count).format(count=count))

    # -- values ---------------------------------------------------------------------------

    def set_value(self, value: object) -> None:
        w = self.widget
        if isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            w.setCurrentIndex(max(0, w.findData(value)))
        elif isinstance(w, QSpinBox) and isinstance(value, int):
            w.setValue(value)
        elif isinstance(w, QDoubleSpinBox) and isinstance(value, int | float):
            w.setValue(float(value))
        elif isinstance(w, QListWidget) and isinstance(value, list):
            for row in range(w.count()):
                item = w.item(row)
                checked = item.data(Qt.ItemDataRole.UserRole) in value
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        elif isinstance(w, QPlainTextEdit):
            if isinstance(value, dict):
                w.setPlainText("\n".join(f"{k} = {v}" for k, v in value.items()))
            elif isinstance(value, list):
                w.setPlainText("\n".join(str(item) for item in value))
        elif isinstance(w, QLineEdit):
            w.setText(str(value))
        elif self.editor == "replies" and isinstance(value, list):
            self._show_replies([str(item) for item in value])

    def value(self) -> object:
        """The value as typed; the schema judges it (a line of text stays text)."""
        w = self.widget
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QSpinBox):
            return w.value()
        if isinstance(w, QDoubleSpinBox):
            return w.value()
        if isinstance(w, QListWidget):
            return [w.item(r).data(Qt.ItemDataRole.UserRole) for r in range(w.count())
                    if w.item(r).checkState() == Qt.CheckState.Checked]
        if isinstance(w, QPlainTextEdit):
            lines = [line.strip() for line in w.toPlainText().splitlines() if line.strip()]
            if self.editor == "table":
                pairs = (line.partition("=") for line in lines)
                return {label.strip(): link.strip() for label, _, link in pairs}
            return lines
        if isinstance(w, QLineEdit):
            return w.text().strip()
        return list(self._replies)

    def set_locked(self, locked: bool) -> None:
        """Read-only, not hidden: the person sees what IT chose."""
        w = self.widget
        if isinstance(w, QLineEdit | QPlainTextEdit):
            w.setReadOnly(locked)
        elif isinstance(w, QSpinBox | QDoubleSpinBox):
            w.setReadOnly(locked)
            w.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons if locked
                               else QSpinBox.ButtonSymbols.UpDownArrows)
        else:
            w.setEnabled(not locked)
