"""The control-socket protocol: one JSON object per line each way, one request per connection.

Request:  {"cmd": "status", ...arguments}
Response: {"ok": true, "result": {...}}  or  {"ok": false, "error": "a sentence"}

Each command's request, and the results that carry more than "done", are dataclasses here,
shared by the command line (ipc.client's callers) and the running instance (ipc.commands).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

MAX_REQUEST_BYTES = 64 * 1024


class ProtocolError(Exception):
    """The other side sent something that is not a request/response of ours."""


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def decode(line: bytes) -> dict[str, Any]:
    try:
        message = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"not a JSON line: {exc}") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message must be a JSON object")
    return message


def ok(result: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"ok": True, "result": result or {}}


def failure(sentence: str) -> dict[str, Any]:
    return {"ok": False, "error": sentence}


# -- the requests: one dataclass per command, spelled once for the CLI and the handlers --------
# Reading is lenient the way the handlers always were (a missing or null field takes its
# default); writing gives exactly the JSON README.md documents.


def _text(message: Mapping[str, Any], key: str) -> str:
    return str(message.get(key) or "")


def _optional_text(message: Mapping[str, Any], key: str) -> str | None:
    value = message.get(key)
    return str(value) if value else None


@dataclass(frozen=True)
class StatusRequest:
    """`supporttray status`: what the running instance sees (the `status --json` object)."""

    cmd: ClassVar[str] = "status"

    def to_wire(self) -> dict[str, Any]:
        return {"cmd": self.cmd}

    @classmethod
    def from_wire(cls, _message: Mapping[str, Any]) -> StatusRequest:
        return cls()


@dataclass(frozen=True)
class ActivateRequest:
    """A second `supporttray run`: bring the first instance's window to the front."""

    cmd: ClassVar[str] = "activate"

    def to_wire(self) -> dict[str, Any]:
        return {"cmd": self.cmd}

    @classmethod
    def from_wire(cls, _message: Mapping[str, Any]) -> ActivateRequest:
        return cls()


@dataclass(frozen=True)
class ReconnectRequest:
    """`supporttray login`: connect again now, with the account and password just stored."""

    cmd: ClassVar[str] = "reconnect"

    def to_wire(self) -> dict[str, Any]:
        return {"cmd": self.cmd}

    @classmethod
    def from_wire(cls, _message: Mapping[str, Any]) -> ReconnectRequest:
        return cls()


@dataclass(frozen=True)
class AskRequest:
    """`supporttray ask`: open the ask window prefilled, or (`send`) send at once."""

    cmd: ClassVar[str] = "ask"
    text: str
    to: str | None = None
    send: bool = False
    new: bool = False

    def to_wire(self) -> dict[str, Any]:
        return {"cmd": self.cmd, "to": self.to, "text": self.text, "send": self.send,
                "new": self.new}

    @classmethod
    def from_wire(cls, message: Mapping[str, Any]) -> AskRequest:
        return cls(text=_text(message, "text"), to=_optional_text(message, "to"),
                   send=bool(message.get("send")), new=bool(message.get("new")))


@dataclass(frozen=True)
class OpenLinkRequest:
    """`supporttray xmpp:JID?message;body=...`: write to that person, the box prefilled.

    A requester gets the ask window addressed to them; staff (who have no ask window) the chat
    with them."""

    cmd: ClassVar[str] = "open-link"
    to: str
    text: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {"cmd": self.cmd, "to": self.to, "text": self.text}

    @classmethod
    def from_wire(cls, message: Mapping[str, Any]) -> OpenLinkRequest:
        return cls(to=_text(message, "to"), text=_text(message, "text"))


@dataclass(frozen=True)
class PresenceRequest:
    """`supporttray presence`: set our own presence (`show` given), or only read it."""

    cmd: ClassVar[str] = "presence"
    show: str | None = None
    status: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {"cmd": self.cmd, "show": self.show, "status": self.status}

    @classmethod
    def from_wire(cls, message: Mapping[str, Any]) -> PresenceRequest:
        return cls(show=_optional_text(message, "show"), status=_text(message, "status"))


@dataclass(frozen=True)
class TakeRequest:
    """`supporttray take`: claim a request for the team (its id or the requester's JID)."""

    cmd: ClassVar[str] = "take"
    request: str

    def to_wire(self) -> dict[str, Any]:
        return {"cmd": self.cmd, "request": self.request}

    @classmethod
    def from_wire(cls, message: Mapping[str, Any]) -> TakeRequest:
        return cls(request=_text(message, "request"))


@dataclass(frozen=True)
class ResolveRequest:
    """`supporttray resolve`: close a request; the requester is told."""

    cmd: ClassVar[str] = "resolve"
    request: str

    def to_wire(self) -> dict[str, Any]:
        return {"cmd": self.cmd, "request": self.request}

    @classmethod
    def from_wire(cls, message: Mapping[str, Any]) -> ResolveRequest:
        return cls(request=_text(message, "request"))


@dataclass(frozen=True)
class HistoryRequest:
    """`supporttray history`: list or search the history, or export it to a file.

    `since` is ISO 8601 (the command line has read the user's date); `export` an absolute path
    the instance writes (0600); `redact` system-info keys left out of it; `limit` 0 = all."""

    cmd: ClassVar[str] = "history"
    with_: str | None = None
    search: str | None = None
    since: str | None = None
    export: str | None = None
    redact: tuple[str, ...] = ()
    # app.history_query.DEFAULT_LIMIT, spelled out: the command line imports no app module.
    limit: int = 1000

    def to_wire(self) -> dict[str, Any]:
        return {"cmd": self.cmd, "with": self.with_, "search": self.search, "since": self.since,
                "export": self.export, "redact": list(self.redact), "limit": self.limit}

    @classmethod
    def from_wire(cls, message: Mapping[str, Any]) -> HistoryRequest:
        redact = message.get("redact") or []
        limit = message.get("limit")
        return cls(with_=_optional_text(message, "with"), search=_optional_text(message, "search"),
                   since=_optional_text(message, "since"), export=_optional_text(message, "export"),
                   redact=tuple(str(key) for key in redact) if isinstance(redact, list) else (),
                   limit=limit if isinstance(limit, int) and limit >= 0 else 1000)


@dataclass(frozen=True)
class CheckRequest:
    """`supporttray check`: ask `to` (addresses and group names) one yes/no question;
    `deadline_seconds` None = no deadline."""

    cmd: ClassVar[str] = "check"
    to: tuple[str, ...]
    question: str
    deadline_seconds: float | None = None

    def to_wire(self) -> dict[str, Any]:
        return {"cmd": self.cmd, "to": list(self.to), "question": self.question,
                "deadline_seconds": self.deadline_seconds}

    @classmethod
    def from_wire(cls, message: Mapping[str, Any]) -> CheckRequest:
        to = message.get("to") or []
        deadline = message.get("deadline_seconds")
        return cls(to=tuple(str(t) for t in to) if isinstance(to, list) else (),
                   question=_text(message, "question"),
                   deadline_seconds=float(deadline) if isinstance(deadline, int | float)
                   and not isinstance(deadline, bool) else None)


@dataclass(frozen=True)
class CheckWaitRequest:
    """`check --wait`: the check's state once it has changed past version `seen` (or after
    the instance's hold time: the command line asks again)."""

    cmd: ClassVar[str] = "check-wait"
    id: str
    seen: int = 0

    def to_wire(self) -> dict[str, Any]:
        return {"cmd": self.cmd, "id": self.id, "seen": self.seen}

    @classmethod
    def from_wire(cls, message: Mapping[str, Any]) -> CheckWaitRequest:
        seen = message.get("seen")
        return cls(id=_text(message, "id"),
                   seen=seen if isinstance(seen, int) and not isinstance(seen, bool) else 0)


Request = (StatusRequest | ActivateRequest | ReconnectRequest | AskRequest | OpenLinkRequest
           | PresenceRequest | TakeRequest | ResolveRequest | HistoryRequest | CheckRequest
           | CheckWaitRequest)


# -- the results: what `ok(...)` carries back for the commands that answer with more than ok ----


@dataclass(frozen=True)
class AskResult:
    """`ask --send`: to whom it went, why them, and what system info was attached."""

    to: str
    reason: str
    thread: str
    nobody_online: bool
    delivery: str  # "sent" (the server has it) or "queued"
    attached: tuple[tuple[str, str, str], ...]  # (key, label, value)

    def to_wire(self) -> dict[str, Any]:
        return {"to": self.to, "reason": self.reason, "thread": self.thread,
                "nobody_online": self.nobody_online, "delivery": self.delivery,
                "attached": [list(item) for item in self.attached]}

    @classmethod
    def from_wire(cls, result: Mapping[str, Any]) -> AskResult:
        attached = tuple((str(key), str(label), str(value))
                         for key, label, value in result.get("attached") or ())
        return cls(to=str(result.get("to")), reason=_text(result, "reason"),
                   thread=_text(result, "thread"),
                   nobody_online=bool(result.get("nobody_online")),
                   delivery=str(result.get("delivery", "queued")), attached=attached)


@dataclass(frozen=True)
class OpenLinkResult:
    """Which window `open-link` opened: "ask" (a requester's) or "chat" (staff)."""

    opened: str

    def to_wire(self) -> dict[str, Any]:
        return {"opened": self.opened}

    @classmethod
    def from_wire(cls, result: Mapping[str, Any]) -> OpenLinkResult:
        return cls(opened=_text(result, "opened"))


@dataclass(frozen=True)
class PresenceResult:
    """Our own presence after `presence`, and whether others see it yet."""

    show: str
    status: str
    recent: tuple[str, ...]
    published: bool

    def to_wire(self) -> dict[str, Any]:
        return {"show": self.show, "status": self.status, "recent": list(self.recent),
                "published": self.published}

    @classmethod
    def from_wire(cls, result: Mapping[str, Any]) -> PresenceResult:
        return cls(show=_text(result, "show"), status=_text(result, "status"),
                   recent=tuple(str(r) for r in result.get("recent") or ()),
                   published=bool(result.get("published")))


@dataclass(frozen=True)
class ClaimResult:
    """`take` / `resolve`: the request (its `status --json` entry) and who has it.

    `resolve` answers with the request only; the other fields then keep their defaults."""

    request: Mapping[str, Any]
    claimed_by: str | None = None
    won: bool = False
    pending: bool = False

    @classmethod
    def from_wire(cls, result: Mapping[str, Any]) -> ClaimResult:
        request = result.get("request")
        claimed_by = result.get("claimed_by")
        return cls(request=request if isinstance(request, dict) else {},
                   claimed_by=str(claimed_by) if claimed_by else None,
                   won=bool(result.get("won")), pending=bool(result.get("pending")))


@dataclass(frozen=True)
class HistoryResult:
    """`history`: the messages (and notes) as `--json` prints them, or what an export wrote."""

    messages: tuple[dict[str, Any], ...] = ()
    exported: int | None = None  # messages written to the export file

    def to_wire(self) -> dict[str, Any]:
        return {"messages": list(self.messages), "exported": self.exported}

    @classmethod
    def from_wire(cls, result: Mapping[str, Any]) -> HistoryResult:
        messages = result.get("messages") or []
        exported = result.get("exported")
        return cls(messages=tuple(m for m in messages if isinstance(m, dict)),
                   exported=exported if isinstance(exported, int) else None)


@dataclass(frozen=True)
class CheckAnswerState:
    """One person in a check: `answer` "yes", "no" or None (not answered yet)."""

    person: str
    answer: str | None
    text: str

    def to_wire(self) -> dict[str, Any]:
        return {"person": self.person, "answer": self.answer, "text": self.text}

    @classmethod
    def from_wire(cls, item: Mapping[str, Any]) -> CheckAnswerState:
        answer = item.get("answer")
        return cls(person=_text(item, "person"),
                   answer=answer if answer in ("yes", "no") else None, text=_text(item, "text"))


@dataclass(frozen=True)
class CheckState:
    """Where a group check stands: `outcome` "waiting", "all-agreed", "objected" or
    "missing" (the deadline passed with someone not answered); `version` grows with each
    change (check-wait's `seen`)."""

    id: str
    question: str
    outcome: str
    version: int
    people: tuple[CheckAnswerState, ...]

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "question": self.question, "outcome": self.outcome,
                "version": self.version, "people": [p.to_wire() for p in self.people]}

    @classmethod
    def from_wire(cls, result: Mapping[str, Any]) -> CheckState:
        people = result.get("people") or []
        version = result.get("version")
        return cls(id=_text(result, "id"), question=_text(result, "question"),
                   outcome=_text(result, "outcome") or "waiting",
                   version=version if isinstance(version, int) else 0,
                   people=tuple(CheckAnswerState.from_wire(p) for p in people
                                if isinstance(p, dict)))
