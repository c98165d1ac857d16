"""Group checks on the wire: the question 1:1 to each person, and the answers back.

1:1 rather than in a room: the people asked are colleagues on any client and any server, and a
chat message reaches each of them at once, with no room to create, join or be let into; their
answers stay private to the asker (an objection names a reason one may not want to give in front
of everyone); and the question sits in the chat each already has with the asker.

    <message type='chat' id='Q1'>
      <body>Restart the dev server?

    (A yes/no check from alice@example.org: reply yes or no.)</body>
      <thread>check-ID</thread>
      <check xmlns='urn:supporttray:check:0' id='ID' deadline='2026-12-07T09:10:00+00:00'>
        Restart the dev server?</check>
    </message>

    <message type='chat'><body>Yes</body><thread>check-ID</thread>
      <answer xmlns='urn:supporttray:check:0' check='ID' value='yes'/></message>

A plain client answers with words ("ok", "nope, wait") or a XEP-0444 reaction to the question
(👍 / 👎): both are read here and handed to the sink as they are; the app's GroupChecks decides
which check they answer. What arrives from the network is hostile until checked: the
question's text and the deadline are bounded, unknown values ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol

from slixmpp import Message
from slixmpp.xmlstream import ElementBase, register_stanza_plugin

from supporttray.core.answer_words import Answer, reaction_answer, recognise
from supporttray.core.jid import bare_jid
from supporttray.core.messages import TransportOffline, new_message_id
from supporttray.xmpp.stanzas import attribute_text

log = logging.getLogger("supporttray.xmpp")

NS_CHECK = "urn:supporttray:check:0"
QUESTION_CHARS = 2000  # a yes/no question; longer is cut, not refused


class CheckQuestion(ElementBase):
    """A yes/no question of a group check; its text is the question."""

    namespace = NS_CHECK
    name = "check"
    plugin_attrib = "supporttray_check"
    interfaces: ClassVar[set[str]] = {"id", "deadline", "question"}

    def get_question(self) -> str:
        return (self.xml.text or "")[:QUESTION_CHARS]

    def set_question(self, text: str) -> None:
        self.xml.text = text

    def del_question(self) -> None:
        self.xml.text = None


class CheckAnswer(ElementBase):
    """A button's answer: `value` "yes" or "no" to the check `check`."""

    namespace = NS_CHECK
    name = "answer"
    plugin_attrib = "supporttray_check_answer"
    interfaces: ClassVar[set[str]] = {"check", "value"}


register_stanza_plugin(Message, CheckQuestion)
register_stanza_plugin(Message, CheckAnswer)


class GroupCheckSink(Protocol):
    """Where group-check traffic goes (app.group_check.GroupChecks)."""

    def question_received(self, asker: str, check_id: str, question: str,
                          deadline: datetime | None, message_id: str,
                          thread: str | None = None) -> None: ...

    def answer_received(self, person: str, answer: Answer | None, text: str, *,
                        check_id: str | None, thread: str | None,
                        reply_to: str | None) -> None: ...


def question_body(question: str, asker: str) -> str:
    """What every client shows: the question and how to answer it (English on the wire, like
    every readable body we send: the reader's client does not run our translations)."""
    return f"{question}\n\n(A yes/no check from {asker}: reply yes or no.)"


class GroupCheckWire:
    """Sends group-check questions and answers, and hears answers in any form."""

    def __init__(self, sink: GroupCheckSink, *, is_online: Callable[[], bool]) -> None:
        self._sink = sink
        self._is_online = is_online
        self._client: Any = None

    def install(self, client: Any) -> None:
        self._client = client
        for plugin in ("xep_0359", "xep_0444"):  # origin-id; reactions
            client.register_plugin(plugin)
        client.add_event_handler("message", self._on_message)
        client.add_event_handler("reactions", self._on_reactions)

    @property
    def online(self) -> bool:
        return self._client is not None and self._is_online()

    def send_question(self, peer: str, check_id: str, question: str, body: str,
                      deadline: datetime | None, thread: str) -> str:
        """The question to one person; its message id (a reaction names it)."""
        stanza = self._message(peer, body, thread)
        element = stanza["supporttray_check"]
        element["id"] = attribute_text(check_id)
        element["question"] = question
        if deadline is not None:
            element["deadline"] = deadline.astimezone(UTC).isoformat()
        self._send(stanza)
        return str(stanza["id"])

    def send_answer(self, asker: str, check_id: str, answer: Answer, body: str,
                    thread: str) -> str:
        """A button's answer; its message id."""
        stanza = self._message(asker, body, thread)
        element = stanza["supporttray_check_answer"]
        element["check"] = attribute_text(check_id)
        element["value"] = answer.value
        self._send(stanza)
        return str(stanza["id"])

    def _message(self, peer: str, body: str, thread: str) -> Any:
        if not self.online:
            raise TransportOffline(peer)
        stanza = self._client.make_message(mto=peer, mtype="chat")
        stanza["id"] = new_message_id()
        stanza["body"] = body
        stanza["thread"] = thread
        stanza["origin_id"]["id"] = stanza["id"]
        return stanza

    def _send(self, stanza: Any) -> None:
        try:
            stanza.send()
        except Exception as exc:  # slixmpp raises NotConnectedError mid-disconnect
            raise TransportOffline(str(stanza["id"])) from exc

    # -- receiving ------------------------------------------------------------------------
    def _on_message(self, stanza: Any) -> None:
        if stanza["type"] not in ("chat", "normal") or stanza.get_plugin(
                "delay", check=True) is not None:
            return  # an offline or archived copy: a check is live, and answers come live
        sender = bare_jid(str(stanza["from"]))
        if sender == bare_jid(str(self._client.boundjid)) or stanza.get_plugin(
                "groupchat_invite", check=True) is not None:
            return  # ours (a carbon), or an invitation: its body is no answer
        thread = str(stanza["thread"] or "") or None
        question = stanza.get_plugin("supporttray_check", check=True)
        if question is not None:
            self._sink.question_received(sender, str(question["id"]), question["question"],
                                         _deadline(question["deadline"]), str(stanza["id"]),
                                         thread)
            return
        button = stanza.get_plugin("supporttray_check_answer", check=True)
        if button is not None:
            value = {a.value: a for a in Answer}.get(str(button["value"]))
            if value is not None:
                self._sink.answer_received(sender, value, str(stanza["body"])[:500],
                                           check_id=str(button["check"]), thread=thread,
                                           reply_to=None)
            return
        body = str(stanza["body"] or "")
        if body:
            self._sink.answer_received(sender, recognise(body), body[:500], check_id=None,
                                       thread=thread, reply_to=None)

    def _on_reactions(self, stanza: Any) -> None:
        sender = bare_jid(str(stanza["from"]))
        reactions = stanza["reactions"]
        values = [str(r["value"]) for r in reactions]
        answers = {a for v in values if (a := reaction_answer(v)) is not None}
        if len(answers) != 1:
            return  # no thumb, or both: not an answer
        answer = answers.pop()
        self._sink.answer_received(sender, answer, " ".join(values), check_id=None,
                                   thread=None, reply_to=str(reactions["id"]))


def _deadline(text: str) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
