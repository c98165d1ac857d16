"""The system-info panel (staff side) and the removable preview (ask window)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from supporttray.core.sysinfo import SysinfoItem, SysinfoSnapshot
from supporttray.ui.sysinfo_panel import SysinfoPanel, SysinfoPreview, copy_text
from tests.ui.chat_fakes import SNAPSHOT


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    """A window to show the widget in, as the app does (its size limits set before showing)."""
    host = QWidget()
    host.setMinimumSize(480, 360)
    QVBoxLayout(host)
    qtbot.addWidget(host)
    return host


def shown_in(window: QWidget, widget: QWidget) -> None:
    layout = window.layout()
    assert layout is not None
    layout.addWidget(widget)
    window.show()


def panel(window: QWidget, snapshot: SysinfoSnapshot = SNAPSHOT, **kwargs: object) -> SysinfoPanel:
    widget = SysinfoPanel(snapshot, **kwargs)  # type: ignore[arg-type]
    shown_in(window, widget)
    return widget


def test_panel_shows_each_field_by_its_label(qtbot: QtBot, window: QWidget) -> None:
    assert panel(window).rows() == [
        ("OS", "Debian GNU/Linux 12 (bookworm)"),
        ("Computer name", "jdoe-laptop"),
        ("User", "jdoe"),
        ("Model", "ThinkPad T14"),
        ("Battery", "unavailable"),
    ]


def test_values_are_plain_text_even_when_they_look_like_html(qtbot: QtBot, window: QWidget) -> None:
    snapshot = SysinfoSnapshot((SysinfoItem("hw.model", "<b>x</b><img src=y>"),), SNAPSHOT.taken_at)
    widget = panel(window, snapshot)
    value = widget.findChild(QLabel, "value:hw.model")
    assert value is not None
    assert value.textFormat() is Qt.TextFormat.PlainText
    assert value.text() == "<b>x</b><img src=y>"


def test_copy_puts_the_readable_block_on_the_clipboard(qtbot: QtBot, window: QWidget) -> None:
    copied: list[str] = []
    widget = panel(window, clipboard_text=copied.append)
    widget.copy_button.click()
    assert copied == [copy_text(SNAPSHOT)]
    assert copied[0].splitlines()[1:3] == [
        "OS: Debian GNU/Linux 12 (bookworm)",
        "Computer name: jdoe-laptop",
    ]
    assert widget.copy_button.text() == "Copied"


def test_copy_uses_the_system_clipboard_by_default(qtbot: QtBot, window: QWidget) -> None:
    widget = panel(window)
    widget.copy_to_clipboard()
    clipboard = QGuiApplication.clipboard()
    assert clipboard is not None
    assert clipboard.text() == copy_text(SNAPSHOT)


def test_panel_collapses_and_expands(qtbot: QtBot, window: QWidget) -> None:
    widget = panel(window)
    assert widget.expanded
    with qtbot.waitSignal(widget.toggled) as blocker:
        widget.toggle_button.click()
    assert blocker.args == [False]
    assert not widget.expanded
    widget.toggle_button.click()
    assert widget.expanded


def test_panel_can_start_folded(qtbot: QtBot, window: QWidget) -> None:
    assert not panel(window, expanded=False).expanded


def test_preview_removes_a_field_with_one_click(qtbot: QtBot, window: QWidget) -> None:
    preview = SysinfoPreview()
    preview.set_snapshot(SNAPSHOT)
    shown_in(window, preview)
    with qtbot.waitSignal(preview.changed):
        qtbot.mouseClick(preview.remove_button("host.name"), Qt.MouseButton.LeftButton)
    assert "host.name" not in preview.shown_keys()
    sent = preview.to_send()
    assert sent is not None and sent.get("host.name") is None
    assert len(sent.items) == len(SNAPSHOT.items) - 1


def test_preview_keeps_a_removal_for_a_fresh_snapshot(qtbot: QtBot, window: QWidget) -> None:
    preview = SysinfoPreview()
    qtbot.addWidget(preview)
    preview.set_snapshot(SNAPSHOT)
    preview.remove("user.name")
    fresh = SysinfoSnapshot(SNAPSHOT.items, datetime(2026, 1, 2, tzinfo=UTC))
    preview.set_snapshot(fresh)
    assert "user.name" not in preview.shown_keys()
    assert preview.removed_count() == 1
    preview.restore_all()
    assert preview.shown_keys() == [item.key for item in SNAPSHOT.items]
