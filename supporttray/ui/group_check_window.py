""""Ask a group…": pick people or a saved group, type a yes/no question, choose a deadline,
ask; the live panel below follows the answers. And the small window that shows someone else's
question to us with Yes / No buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from supporttray.app.group_chat import GroupChats
from supporttray.app.group_check import AskedOfMe, GroupCheckError, GroupChecks
from supporttray.core.answer_words import Answer
from supporttray.core.group_check import CheckChanged
from supporttray.language.catalogue import N_, _
from supporttray.ui.bridge import CoreBridge
from supporttray.ui.group_check_panel import GroupCheckPanel

if TYPE_CHECKING:
    from supporttray.core.presence import PresenceBook
    from supporttray.ui.chat.backend import Spawn
    from supporttray.ui.chat_windows import ChatWindows

# (label, minutes; 0 = no deadline)
DEADLINES = ((N_("No deadline"), 0), (N_("5 minutes"), 5), (N_("10 minutes"), 10),
             (N_("30 minutes"), 30), (N_("1 hour"), 60))


class GroupCheckWindow(QWidget):
    """Ask a group, and watch the answers come in."""

    def __init__(self, checks: GroupChecks, bridge: CoreBridge, *,
                 name_of: Callable[[str], str], app_name: str) -> None:
        super().__init__()
        self._checks = checks
        self.setWindowTitle(_("Ask a group — {app}").format(app=app_name))
        self.to = QComboBox()
        self.to.setEditable(True)
        self.to.setAccessibleName(_("Whom to ask"))
        self.to.addItems(list(checks.groups()))
        self.to.setCurrentText("")
        line = self.to.lineEdit()
        if line is not None:
            line.setPlaceholderText(_("A saved group, or addresses separated by commas"))
        self.question = QLineEdit()
        self.question.setAccessibleName(_("Question"))
        self.question.setPlaceholderText(_("e.g. Any objections if I restart the dev server now?"))
        self.deadline = QComboBox()
        self.deadline.setAccessibleName(_("Deadline"))
        for label, minutes in DEADLINES:
            self.deadline.addItem(_(label), minutes)
        self.ask_button = QPushButton(_("Ask"))
        self.ask_button.setDefault(True)
        self.ask_button.clicked.connect(self.ask)
        self.question.returnPressed.connect(self.ask)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.hide()
        self.panel = GroupCheckPanel(name_of)
        self.panel.hide()
        form = QFormLayout()
        form.addRow(_("Ask:"), self.to)
        form.addRow(_("Question:"), self.question)
        form.addRow(_("Deadline:"), self.deadline)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.ask_button, alignment=Qt.AlignmentFlag.AlignRight)
        layout.addWidget(self.error)
        layout.addWidget(self.panel, 1)
        self.resize(460, 420)
        bridge.group_check_changed.connect(self._on_changed)

    def open_window(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.question.setFocus()

    def ask(self) -> None:
        minutes = int(self.deadline.currentData() or 0)
        to = [part for part in self.to.currentText().split(",") if part.strip()]
        try:
            check = self._checks.start(to, self.question.text(),
                                       timedelta(minutes=minutes) if minutes else None)
        except GroupCheckError as exc:
            self.error.setText(exc.sentence.translated())
            self.error.show()
            return
        self.error.hide()
        self.question.clear()
        self.panel.show_check(check)
        self.panel.show()

    def _on_changed(self, event: CheckChanged) -> None:
        check = self._checks.get(event.check_id)
        if check is not None and event.check_id == self.panel.check_id:
            self.panel.show_check(check)


class CheckQuestionWindow(QWidget):
    """Someone's yes/no question to us: Yes / No (pressing the other later changes it)."""

    def __init__(self, checks: GroupChecks, asked: AskedOfMe, *, name_of: Callable[[str], str],
                 app_name: str) -> None:
        super().__init__()
        self._checks = checks
        self._asked = asked
        self.setWindowTitle(_("A question for you — {app}").format(app=app_name))
        name = name_of(asked.asker)
        if asked.about_a_fix:
            # Ours, so shown in the reader's language (the wire carries English).
            who = QLabel(_("{name} marked your request resolved.").format(name=name))
            question = QLabel(_("Did this fix it?"))
        else:
            who = QLabel(_("{name} asks:").format(name=name))
            question = QLabel(asked.question)
        question.setWordWrap(True)
        question.setTextFormat(Qt.TextFormat.PlainText)
        font = question.font()
        font.setBold(True)
        question.setFont(font)
        self.yes = QPushButton(_("Yes"))
        self.no = QPushButton(_("Not yet") if asked.about_a_fix else _("No"))
        self.yes.clicked.connect(lambda: self.answer(Answer.AGREED))
        self.no.clicked.connect(lambda: self.answer(Answer.OBJECTED))
        self.status = QLabel()
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.yes)
        buttons.addWidget(self.no)
        layout = QVBoxLayout(self)
        layout.addWidget(who)
        layout.addWidget(question)
        layout.addLayout(buttons)
        layout.addWidget(self.status)

    def answer(self, answer: Answer) -> None:
        try:
            self._checks.answer(self._asked.check_id, answer)
        except GroupCheckError as exc:
            self.status.setText(exc.sentence.translated())
            return
        if self._asked.about_a_fix:
            self.status.setText(_("Thank you. Support has been told.") if answer is
                                Answer.AGREED else _("The request is open again for the team."))
        else:
            self.status.setText(_("You answered Yes.") if answer is Answer.AGREED
                                else _("You answered No."))


class GroupCheckWindows:
    """The ask window (built on first use) and one question window per question to us."""

    def __init__(self, checks: GroupChecks, bridge: CoreBridge, *,
                 name_of: Callable[[str], str], app_name: str) -> None:
        self._checks = checks
        self._bridge = bridge
        self._name_of = name_of
        self._app_name = app_name
        self.built_ask: GroupCheckWindow | None = None
        self.questions: dict[str, CheckQuestionWindow] = {}
        bridge.observe_group_checks(checks)
        bridge.group_check_asked.connect(self.show_question)

    def offer_invites(self, windows: ChatWindows, chats: GroupChats, spawn: Spawn, *,
                      staff: bool, book: PresenceBook) -> None:
        """The chat window's Invite… menu, added when the window is built."""
        from supporttray.ui.invite_dialog import add_group_chat_menu

        def contacts() -> list[str]:
            return sorted({m.jid for m in book.members()}
                          | {p for p in windows.conversation_peers() if not chats.is_room(p)})

        windows.chat_built.append(lambda window: add_group_chat_menu(
            window, chats, spawn=spawn, contacts=contacts, name_of=self._name_of,
            offer_sysinfo=staff))

    def open_ask(self) -> None:
        if self.built_ask is None:
            self.built_ask = GroupCheckWindow(self._checks, self._bridge, name_of=self._name_of,
                                              app_name=self._app_name)
        self.built_ask.open_window()

    def show_question(self, asked: AskedOfMe) -> None:
        window = self.questions.get(asked.check_id)
        if window is None:
            window = CheckQuestionWindow(self._checks, asked, name_of=self._name_of,
                                         app_name=self._app_name)
            self.questions[asked.check_id] = window
        window.show()
        window.raise_()

    def close(self) -> None:
        for window in [self.built_ask, *self.questions.values()]:
            if window is not None:
                window.close()
                window.deleteLater()
        self.questions.clear()
        self.built_ask = None
