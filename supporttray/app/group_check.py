"""Group checks for the panel and for `supporttray check`: ask, hear the answers, keep them.

The questions we ask and the answers we give are stored in the chat history like any message
(so they are in search and export); the answers others give arrive as chat messages and are
stored by the chat side anyway. What this service keeps in memory is where each running check
stands, for the panel and for a script waiting on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from supporttray.core.answer_words import Answer, recognise
from supporttray.core.clock import Clock, utc_now
from supporttray.core.group_check import (
    FIX_PREFIX,
    THREAD_PREFIX,
    CheckChanged,
    GroupCheck,
    Outcome,
    check_id_of_thread,
    new_check_id,
    resolve_people,
)
from supporttray.core.jid import bare_jid
from supporttray.core.listeners import Listeners
from supporttray.core.messages import ChatMessage, Delivery, Direction, TransportOffline
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence
from supporttray.xmpp.group_check_wire import GroupCheckWire, question_body

log = logging.getLogger("supporttray.app")

# What a button sends: readable in any client, and read back as the same answer
# (core.answer_words recognises each).
BUTTON_WORDS = {Answer.AGREED: "Yes", Answer.OBJECTED: "No"}
FIX_BUTTON_WORDS = {Answer.AGREED: "Yes, this fixed it.",
                    Answer.OBJECTED: "Not yet — the problem is still there."}
FIX_QUESTION = "Did this fix it?"
FIX_BODY = "Did this fix it? Reply yes, or not yet if the problem is still there."


class GroupCheckError(Exception):
    """A check that cannot be asked: the sentence says why."""

    def __init__(self, sentence: Sentence) -> None:
        super().__init__(str(sentence))
        self.sentence = sentence


@dataclass(frozen=True)
class AskedOfMe:
    """Someone's group check asked us: the buttons show it."""

    check_id: str
    asker: str
    question: str
    deadline: datetime | None
    message_id: str
    answered: Answer | None = None
    thread: str | None = None

    @property
    def about_a_fix(self) -> bool:
        """"Did this fix it?" after a request was resolved (not a colleague's group check)."""
        return self.check_id.startswith(FIX_PREFIX)


class ChatKeeper:
    """Where our side of a check is stored as chat (app.chat.ChatService.receive)."""

    def __init__(self, receive: Callable[[ChatMessage], None]) -> None:
        self._receive = receive

    def keep(self, message_id: str, peer: str, body: str, thread: str, at: datetime) -> None:
        self._receive(ChatMessage(id=message_id, peer=peer, direction=Direction.OUT, body=body,
                                  timestamp=at, thread=thread, delivery=Delivery.SENT))


class GroupChecks:
    """Every check asked or answered during this run."""

    def __init__(self, me: str, groups: Callable[[], Mapping[str, list[str]]], *,
                 keeper: ChatKeeper | None = None, clock: Clock = utc_now) -> None:
        self._me = bare_jid(me)
        self._groups = groups
        self._keeper = keeper
        self._clock = clock
        self._wire: GroupCheckWire | None = None
        self._checks: dict[str, GroupCheck] = {}
        self._versions: dict[str, int] = {}
        self._waiters: dict[str, asyncio.Event] = {}
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self.asked_of_me: dict[str, AskedOfMe] = {}
        # Requests we resolved whose requester has not said yet whether it is fixed: thread ->
        # requester.
        self._awaiting_fix: dict[str, str] = {}
        self.changed: Listeners[CheckChanged] = Listeners()
        self.question_arrived: Listeners[AskedOfMe] = Listeners()

    def attach_wire(self, wire: GroupCheckWire) -> None:
        self._wire = wire

    def groups(self) -> dict[str, list[str]]:
        return dict(self._groups())

    # -- asking ---------------------------------------------------------------------------
    def start(self, to: list[str], question: str,
              deadline: timedelta | None = None) -> GroupCheck:
        """Ask everyone named (addresses and group names) now; GroupCheckError if we cannot."""
        question = question.strip()
        if not question:
            raise GroupCheckError(Sentence(N_("The question is empty.")))
        try:
            people = [p for p in resolve_people(to, self._groups()) if p != self._me]
        except ValueError as exc:
            raise GroupCheckError(Sentence(N_("Cannot ask: {problem}."),
                                           {"problem": str(exc)})) from None
        if not people:
            raise GroupCheckError(Sentence(N_("Nobody to ask but yourself.")))
        wire = self._wire
        if wire is None or not wire.online:
            raise GroupCheckError(Sentence(N_(
                "You are not connected, so nobody can be asked now. Ask again once the "
                "connection is back.")))
        now = self._clock()
        check = GroupCheck(new_check_id(), question, tuple(people), now,
                           now + deadline if deadline is not None else None)
        body = question_body(question, self._me)
        try:
            for person in people:
                message_id = wire.send_question(person, check.id, question, body,
                                                check.deadline, check.thread)
                check.question_ids[person] = message_id
                if self._keeper is not None:
                    self._keeper.keep(message_id, person, body, check.thread, now)
        except TransportOffline:
            raise GroupCheckError(Sentence(N_(
                "The connection went away while asking; ask again once it is back."))) from None
        self._checks[check.id] = check
        self._versions[check.id] = 0
        if deadline is not None:
            self._timers[check.id] = asyncio.get_running_loop().call_later(
                deadline.total_seconds(), self._deadline_passed, check.id)
        log.info("group check %s asked of %d people", check.id, len(people))
        self._changed(check.id, None)
        return check

    def get(self, check_id: str) -> GroupCheck | None:
        return self._checks.get(check_id)

    def checks(self) -> list[GroupCheck]:
        """Newest first."""
        return sorted(self._checks.values(), key=lambda c: c.asked_at, reverse=True)

    def version(self, check_id: str) -> int:
        return self._versions.get(check_id, 0)

    async def wait_change(self, check_id: str, seen: int, timeout: float) -> int:
        """Returns the check's version once it is past `seen`, or after `timeout` seconds."""
        if self.version(check_id) > seen:
            return self.version(check_id)
        event = self._waiters.setdefault(check_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout)
        return self.version(check_id)

    def stop(self) -> None:
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()

    def _deadline_passed(self, check_id: str) -> None:
        check = self._checks.get(check_id)
        self._timers.pop(check_id, None)
        if check is None:
            return
        check.deadline_passed = True
        if check.outcome() is Outcome.MISSING:
            log.info("group check %s: the deadline passed, %d not answered", check_id,
                     len(check.missing()))
        self._changed(check_id, None)

    def _changed(self, check_id: str, person: str | None) -> None:
        self._versions[check_id] = self._versions.get(check_id, 0) + 1
        event = self._waiters.pop(check_id, None)
        if event is not None:
            event.set()
        self.changed.emit(CheckChanged(check_id, person))

    # -- answers from the network (xmpp.group_check_wire) ----------------------------------
    def answer_received(self, person: str, answer: Answer | None, text: str, *,
                        check_id: str | None, thread: str | None,
                        reply_to: str | None) -> None:
        check = self._check_answered(person, check_id or check_id_of_thread(thread), reply_to)
        if check is None:
            return
        if check.record(person, answer, text, self._clock()):
            self._changed(check.id, bare_jid(person))

    def _check_answered(self, person: str, check_id: str | None,
                        reply_to: str | None) -> GroupCheck | None:
        """The check a reply is for: the one it names, the one whose question a reaction
        names, else the newest that asked them and whose deadline has not passed (a plain
        client's "ok" names nothing)."""
        who = bare_jid(person)
        if check_id is not None:
            check = self._checks.get(check_id)
            return check if check is not None and check.asks(who) else None
        for check in self.checks():
            if not check.asks(who):
                continue
            if reply_to is not None:
                if check.question_ids.get(who) == reply_to:
                    return check
                continue
            if not check.deadline_passed:
                return check
        return None

    # -- questions to us -------------------------------------------------------------------
    def question_received(self, asker: str, check_id: str, question: str,
                          deadline: datetime | None, message_id: str,
                          thread: str | None = None) -> None:
        if not check_id or not question.strip():
            return
        asked = AskedOfMe(check_id, bare_jid(asker), question, deadline, message_id,
                          thread=thread)
        self.asked_of_me[check_id] = asked
        self.question_arrived.emit(asked)

    def answer(self, check_id: str, answer: Answer) -> None:
        """Our button: the answer to someone's check (a later press replaces the earlier)."""
        asked = self.asked_of_me.get(check_id)
        if asked is None:
            raise GroupCheckError(Sentence(N_("That question is no longer known here.")))
        wire = self._wire
        if wire is None or not wire.online:
            raise GroupCheckError(Sentence(N_(
                "You are not connected; answer again once the connection is back.")))
        body = (FIX_BUTTON_WORDS if asked.about_a_fix else BUTTON_WORDS)[answer]
        # A fix is answered in the request's thread: "Not yet" opens that request again.
        thread = (asked.thread if asked.about_a_fix and asked.thread
                  else THREAD_PREFIX + check_id)
        try:
            message_id = wire.send_answer(asked.asker, check_id, answer, body, thread)
        except TransportOffline:
            raise GroupCheckError(Sentence(N_(
                "The connection went away; answer again once it is back."))) from None
        if self._keeper is not None:
            self._keeper.keep(message_id, asked.asker, body, thread, self._clock())
        self.asked_of_me[check_id] = dataclasses.replace(asked, answered=answer)

    def is_an_answer(self, message: ChatMessage) -> bool:
        """Staff side: a colleague's yes or no to a check of ours that is still running (a
        plain client's reply has no thread): an answer, not a new request."""
        who = bare_jid(message.peer)
        return (message.direction is Direction.IN and recognise(message.body) is not None
                and any(c.asks(who) and not c.deadline_passed for c in self._checks.values()))

    # -- closing the loop: "Did this fix it?" ----------------------------------------------
    def ask_if_fixed(self, requester: str, request_id: str, thread: str | None) -> None:
        """We resolved a request: ask the requester, in its thread, whether it is fixed (their
        app shows Yes / Not yet; any client shows the sentence). Offline: not asked."""
        wire = self._wire
        if wire is None or not wire.online or thread is None:
            return
        try:
            message_id = wire.send_question(requester, FIX_PREFIX + request_id, FIX_QUESTION,
                                            FIX_BODY, None, thread)
        except TransportOffline:
            return
        self._awaiting_fix[thread] = bare_jid(requester)
        if self._keeper is not None:
            self._keeper.keep(message_id, bare_jid(requester), FIX_BODY, thread, self._clock())

    def confirms_fix(self, message: ChatMessage) -> bool:
        """Staff side: True for the requester's yes to "Did this fix it?" (it keeps the
        request closed); "Not yet" or anything else is False and opens the request again,
        with their words as what the queue shows."""
        thread = message.thread
        if message.direction is not Direction.IN or thread is None or \
                self._awaiting_fix.get(thread) != bare_jid(message.peer):
            return False
        del self._awaiting_fix[thread]
        fixed = recognise(message.body) is Answer.AGREED
        log.info("request thread %s: the requester says %s", thread,
                 "it is fixed" if fixed else "it is not fixed yet")
        return fixed
