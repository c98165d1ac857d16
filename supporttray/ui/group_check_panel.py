"""The live panel of one group check: who agreed, who objected (with what they wrote), who has
not answered, and the outcome in one line. A view only: it draws the check it is given, and
whoever owns it calls `show_check` again when the bridge says the check changed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from supporttray.core.answer_words import Answer
from supporttray.core.group_check import GroupCheck, Outcome, PersonAnswer
from supporttray.language.catalogue import _, ngettext


def person_line(answer: PersonAnswer, name: str) -> str:
    """One row: a mark a screen reader reads too, the name, and what they wrote."""
    if answer.answer is Answer.AGREED:
        return _("✓ {name} agreed").format(name=name)
    if answer.answer is Answer.OBJECTED:
        if answer.text:
            return _("✗ {name} objected: “{text}”").format(name=name, text=answer.text)
        return _("✗ {name} objected").format(name=name)
    if answer.text:
        return _("… {name} has not answered yet (wrote “{text}”)").format(name=name,
                                                                          text=answer.text)
    return _("… {name} has not answered yet").format(name=name)


def outcome_line(check: GroupCheck, name_of: Callable[[str], str]) -> str:
    """The check as a whole: "All agreed" only when every person agreed."""
    outcome = check.outcome()
    if outcome is Outcome.ALL_AGREED:
        return _("All agreed")
    if outcome is Outcome.OBJECTED:
        names = ", ".join(name_of(a.person) for a in check.objected())
        return _("Objected: {names}").format(names=names)
    missing = check.missing()
    if outcome is Outcome.MISSING:
        names = ", ".join(name_of(p) for p in missing)
        return _("The deadline passed without an answer from {names}").format(names=names)
    return ngettext("{count} of {total} has not answered yet",
                    "{count} of {total} have not answered yet",
                    len(missing)).format(count=len(missing), total=len(check.people))


class GroupCheckPanel(QWidget):
    def __init__(self, name_of: Callable[[str], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name_of = name_of
        self.question = QLabel()
        self.question.setWordWrap(True)
        self.question.setTextFormat(Qt.TextFormat.PlainText)
        self.outcome = QLabel()
        self.outcome.setTextFormat(Qt.TextFormat.PlainText)
        font = self.outcome.font()
        font.setBold(True)
        self.outcome.setFont(font)
        self.people = QListWidget()
        self.people.setAccessibleName(_("Answers"))
        self.people.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.question)
        layout.addWidget(self.outcome)
        layout.addWidget(self.people)
        self.check_id: str | None = None

    def show_check(self, check: GroupCheck) -> None:
        self.check_id = check.id
        self.question.setText(check.question)
        self.outcome.setText(outcome_line(check, self._name_of))
        self.people.clear()
        for person in check.people:
            item = QListWidgetItem(person_line(check.answers[person], self._name_of(person)))
            item.setToolTip(person)
            self.people.addItem(item)

    def rows(self) -> list[str]:
        """The rows as shown (tests, and the accessible summary)."""
        return [self.people.item(i).text() for i in range(self.people.count())]
