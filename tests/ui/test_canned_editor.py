"""The canned-reply editor: edit, reorder, save to the Replies menu; locked, failing, cancelled."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from supporttray.app.chat import CannedRepliesError
from supporttray.core.presence import PresenceBook
from supporttray.ui.canned_editor import LOCKED_TEXT, CannedEditor
from supporttray.ui.chat.conversation_pane import ConversationPane
from supporttray.ui.chat.window import ChatWindow
from supporttray.ui.icons import IconSet
from tests.helpers import FakeClock
from tests.ui.chat_fakes import FakeChat, Spawner, bridge_for

ANN = "ann@example.org"
BEN = "ben@example.org"


class Confirm:
    """Answers "Discard changes?" as told, and counts the questions."""

    def __init__(self) -> None:
        self.answer = False
        self.asked = 0

    def __call__(self, _parent: QWidget) -> bool:
        self.asked += 1
        return self.answer


@pytest.fixture
def chat() -> FakeChat:
    chat = FakeChat()
    chat.templates = ["Hi {name}, on it.", "Please restart."]
    return chat


@pytest.fixture
def confirm() -> Confirm:
    return Confirm()


@pytest.fixture
def window(
    qtbot: QtBot, chat: FakeChat, book: PresenceBook, icons: IconSet, clock: FakeClock,
    confirm: Confirm,
) -> Iterator[ChatWindow]:
    spawner = Spawner()
    window = ChatWindow(chat, bridge=bridge_for(chat), book=book, mode="staff", spawn=spawner,
                        icons=icons, clock=clock, confirm_discard=confirm)
    qtbot.addWidget(window)
    yield window
    window.dispose()
    spawner.close()


def menu_labels(pane: ConversationPane) -> list[str]:
    pane.replies_menu.aboutToShow.emit()
    return [a.text() for a in pane.replies_menu.actions()]


def open_editor(qtbot: QtBot, window: ChatWindow, peer: str = ANN) -> CannedEditor:
    """What clicking Replies ▸ Edit replies… does, in `peer`'s chat."""
    pane = window.open_chat(peer)
    pane.replies_menu.aboutToShow.emit()
    edit = pane.replies_menu.findChild(QAction, "editReplies")
    assert edit is not None and edit.text() == "Edit replies…"
    edit.trigger()
    editor = window.canned_editor
    assert editor is not None
    qtbot.waitUntil(editor.isActiveWindow)  # keys (Ctrl+S, Esc, Tab) go to the active window
    return editor


def test_edit_replies_opens_a_non_modal_editor_with_the_snippets_as_typed(
    qtbot: QtBot, window: ChatWindow
) -> None:
    editor = open_editor(qtbot, window)
    assert not editor.isModal()
    assert editor.templates() == ["Hi {name}, on it.", "Please restart."]
    assert editor.snippet_edit.toPlainText() == "Hi {name}, on it."
    assert not editor.snippet_edit.isReadOnly()
    # a second "Edit replies…" raises the same editor
    assert window.edit_canned_replies(ANN) is editor


def test_add_reorder_remove_and_save_updates_the_replies_menu_at_once(
    qtbot: QtBot, window: ChatWindow, chat: FakeChat
) -> None:
    # given the editor, opened from ann's chat
    editor = open_editor(qtbot, window)
    # when a snippet is added after the first, typed, moved to the top, the old last removed
    editor.add_snippet()
    qtbot.keyClicks(editor.snippet_edit, "Bye {name}!")
    editor.move_snippet(-1)
    editor.snippet_list.setCurrentRow(2)
    editor.remove_snippet()
    assert editor.templates() == ["Bye {name}!", "Hi {name}, on it."]
    # and Ctrl+S saves
    qtbot.keyClick(editor.snippet_edit, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    # then the service got the new list, the editor closed, and the menu offers it at once
    assert chat.saved_templates == [["Bye {name}!", "Hi {name}, on it."]]
    qtbot.waitUntil(lambda: window.canned_editor is None)
    pane = window.pane(ANN)
    assert pane is not None
    assert menu_labels(pane) == ["Bye ann!\tCtrl+1", "Hi ann, on it.\tCtrl+2", "", "Edit replies…"]
    pane.edit.clear()
    assert pane.insert_canned_reply(0)  # what Ctrl+1 does
    assert pane.edit.toPlainText() == "Bye ann!"


def test_empty_snippets_are_not_saved(qtbot: QtBot, window: ChatWindow, chat: FakeChat) -> None:
    editor = open_editor(qtbot, window)
    editor.add_snippet()  # left empty
    assert editor.snippet_list.item(1).text() == "(empty: dropped when saved)"
    editor.save()
    assert chat.saved_templates == [["Hi {name}, on it.", "Please restart."]]


def test_the_preview_fills_the_selected_snippet_for_the_current_requester(
    qtbot: QtBot, window: ChatWindow
) -> None:
    ben = window.open_chat(BEN)
    qtbot.waitUntil(window.isActiveWindow)
    editor = open_editor(qtbot, window, ANN)
    assert editor.preview.toPlainText() == "Hi ann, on it."
    qtbot.keyClicks(editor.snippet_edit, " Bye {name}")
    assert editor.preview.toPlainText() == "Hi ann, on it. Bye ann"
    # the chat window's current tab changes: the preview follows it
    window.tabs.setCurrentWidget(ben)
    assert editor.preview.toPlainText() == "Hi ben, on it. Bye ben"


def test_replies_locked_by_policy_open_read_only_and_say_who_manages_them(
    qtbot: QtBot, window: ChatWindow, chat: FakeChat
) -> None:
    chat.templates_locked = True
    editor = open_editor(qtbot, window)
    note = editor.findChild(QWidget, "cannedLocked")
    assert note is not None and note.isVisible() and note.text() == LOCKED_TEXT  # type: ignore[attr-defined]
    assert editor.snippet_edit.isReadOnly()
    buttons = (editor.add_button, editor.remove_button, editor.up_button, editor.down_button)
    assert not any(b.isEnabled() for b in buttons)
    assert editor.buttons.button(QDialogButtonBox.StandardButton.Save) is None
    qtbot.keyClicks(editor.snippet_edit, "changed")
    editor.save()
    assert editor.templates() == ["Hi {name}, on it.", "Please restart."]
    assert chat.saved_templates == []
    # the preview still works, read-only
    assert editor.preview.toPlainText() == "Hi ann, on it."


def test_a_settings_file_that_cannot_be_written_is_explained_and_edits_are_kept(
    qtbot: QtBot, window: ChatWindow, chat: FakeChat
) -> None:
    # given a settings file the service cannot write
    chat.save_error = CannedRepliesError(
        "The replies could not be saved to /home/ann/.config/supporttray/settings.toml "
        "(Permission denied). Your edits are still here: check that you may write to that "
        "file, then save again.")
    editor = open_editor(qtbot, window)
    qtbot.keyClicks(editor.snippet_edit, " Thanks!")
    # when the user saves
    editor.save()
    # then the dialog stays with the sentence, and every edit is still there
    assert editor.isVisible()
    assert "Permission denied" in editor.error_text()
    assert editor.templates() == ["Hi {name}, on it. Thanks!", "Please restart."]
    assert editor.has_changes()
    # and once the file is writable again, the same edits save
    chat.save_error = None
    editor.save()
    assert chat.templates == ["Hi {name}, on it. Thanks!", "Please restart."]


def test_escape_with_changes_asks_before_discarding(
    qtbot: QtBot, window: ChatWindow, confirm: Confirm, chat: FakeChat
) -> None:
    editor = open_editor(qtbot, window)
    qtbot.keyClicks(editor.snippet_edit, " more")
    # the user answers "Cancel": the editor stays, with the edit
    confirm.answer = False
    qtbot.keyClick(editor.snippet_edit, Qt.Key.Key_Escape)
    assert confirm.asked == 1
    assert editor.isVisible()
    assert editor.templates()[0] == "Hi {name}, on it. more"
    # the user answers "Discard": it closes, nothing saved
    confirm.answer = True
    qtbot.keyClick(editor.snippet_edit, Qt.Key.Key_Escape)
    assert confirm.asked == 2
    qtbot.waitUntil(lambda: window.canned_editor is None)
    assert chat.saved_templates == []


def test_escape_without_changes_closes_without_asking(
    qtbot: QtBot, window: ChatWindow, confirm: Confirm
) -> None:
    editor = open_editor(qtbot, window)
    qtbot.keyClick(editor.snippet_list, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: window.canned_editor is None)
    assert confirm.asked == 0


def test_every_control_is_reachable_with_tab(qtbot: QtBot, window: ChatWindow) -> None:
    editor = open_editor(qtbot, window)
    qtbot.waitUntil(editor.isActiveWindow)
    editor.snippet_list.setCurrentRow(0)
    editor.snippet_list.setFocus()
    save = editor.buttons.button(QDialogButtonBox.StandardButton.Save)
    cancel = editor.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    # when the user presses Tab round the dialog (the first snippet selected: Move up is
    # disabled, so not a stop)
    reached: list[QWidget] = []
    for _ in range(10):
        focused = QApplication.focusWidget()
        assert focused is not None
        reached.append(focused)
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
    # then every enabled control gets the focus, the text boxes included (Tab leaves them)
    expected = [editor.snippet_list, editor.add_button, editor.remove_button,
                editor.down_button, editor.snippet_edit, editor.preview, save, cancel]
    assert reached[: len(expected)] == expected
    assert reached[len(expected)] is editor.snippet_list  # and round again
