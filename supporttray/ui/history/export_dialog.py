"""Export…: which system-info fields to leave out, then where to save (Markdown or HTML).

The writing itself runs on the history thread (search_worker.ExportJob): a request of
thousands of messages is rendered and written while the window stays responsive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from supporttray.config.sysinfo_fields import LABELS
from supporttray.core.transcript_export import ExportFormat, format_for
from supporttray.language.catalogue import _

# Left out unless the person ticks them back: where a computer was is nobody else's business.
LEFT_OUT_BY_DEFAULT: Final = frozenset({"net.addresses"})


@dataclass(frozen=True)
class ExportChoice:
    """Where to write, in which format, and the system-info fields to leave out."""

    target: Path
    fmt: ExportFormat
    redact: frozenset[str]


AskExport = Callable[[QWidget, list[str], str], "ExportChoice | None"]


class RedactDialog(QDialog):
    """One checkbox per system-info field the conversation holds: ticked = left out."""

    def __init__(self, fields: Iterable[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("exportRedact")
        self.setWindowTitle(_("Export"))
        intro = QLabel(_("Leave these system-info fields out of the exported file:"), self)
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        self.boxes: dict[str, QCheckBox] = {}
        for key in fields:
            box = QCheckBox(LABELS.get(key, key), self)
            box.setObjectName(f"redact:{key}")
            box.setChecked(key in LEFT_OUT_BY_DEFAULT)
            layout.addWidget(box)
            self.boxes[key] = box
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setText(_("Choose file…"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def left_out(self) -> frozenset[str]:
        return frozenset(key for key, box in self.boxes.items() if box.isChecked())


def ask_export(parent: QWidget, fields: list[str], suggested: str) -> ExportChoice | None:
    """The fields to leave out (when the conversation has system info), then the file."""
    redact: frozenset[str] = frozenset()
    if fields:
        dialog = RedactDialog(fields, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        redact = dialog.left_out()
    markdown, html = _("Markdown (*.md)"), _("Web page (*.html)")
    name, chosen = QFileDialog.getSaveFileName(
        parent, _("Export the conversation"), str(Path.home() / f"{suggested}.md"),
        f"{markdown};;{html}")
    if not name:
        return None
    target = Path(name)
    fmt = format_for(target)
    if fmt is None:  # no extension typed: the filter chosen says which
        fmt = ExportFormat.HTML if chosen == html else ExportFormat.MARKDOWN
        target = target.with_suffix(".html" if fmt is ExportFormat.HTML else ".md")
    return ExportChoice(target, fmt, redact)
