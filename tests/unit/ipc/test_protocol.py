"""The control-socket protocol and what a command sees when no instance runs."""

from __future__ import annotations

import pytest

from supporttray.ipc.protocol import (
    ActivateRequest,
    AskRequest,
    AskResult,
    ClaimResult,
    OpenLinkRequest,
    OpenLinkResult,
    PresenceRequest,
    PresenceResult,
    ProtocolError,
    ReconnectRequest,
    Request,
    ResolveRequest,
    StatusRequest,
    TakeRequest,
    decode,
    encode,
    failure,
    ok,
)


def test_a_message_is_one_json_line_and_reads_back() -> None:
    line = encode({"cmd": "status", "text": "naïve\nline"})
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode(line) == {"cmd": "status", "text": "naïve\nline"}


@pytest.mark.parametrize("line", [b"not json\n", b"[1, 2]\n", b"\xff\xfe\n"])
def test_garbage_on_the_socket_is_a_protocol_error_not_a_crash(line: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(line)


def test_responses_say_ok_or_carry_a_sentence() -> None:
    assert ok({"a": 1}) == {"ok": True, "result": {"a": 1}}
    assert failure("No.") == {"ok": False, "error": "No."}


@pytest.mark.parametrize(
    ("request_", "wire"),
    [
        (StatusRequest(), {"cmd": "status"}),
        (ActivateRequest(), {"cmd": "activate"}),
        (ReconnectRequest(), {"cmd": "reconnect"}),
        (AskRequest("Printer?", to="alice@example.org", send=True),
         {"cmd": "ask", "to": "alice@example.org", "text": "Printer?", "send": True,
          "new": False}),
        (OpenLinkRequest("alice@example.org", "Hi"),
         {"cmd": "open-link", "to": "alice@example.org", "text": "Hi"}),
        (PresenceRequest("away", "Back at 3"),
         {"cmd": "presence", "show": "away", "status": "Back at 3"}),
        (TakeRequest("r1"), {"cmd": "take", "request": "r1"}),
        (ResolveRequest("ann@example.org"), {"cmd": "resolve", "request": "ann@example.org"}),
    ],
)
def test_each_request_is_the_documented_json_and_reads_back(request_: Request,
                                                            wire: dict[str, object]) -> None:
    assert decode(encode(request_.to_wire())) == wire
    assert type(request_).from_wire(wire) == request_


def test_a_request_with_missing_or_null_fields_takes_the_defaults() -> None:
    assert AskRequest.from_wire({"cmd": "ask", "to": None, "text": None}) == AskRequest("")
    assert PresenceRequest.from_wire({"cmd": "presence"}) == PresenceRequest(None, "")


def test_results_read_back_what_the_instance_sent() -> None:
    sent = AskResult("alice@example.org", "Alice is available", "t1", False, "sent",
                     (("os.name", "Operating system", "Linux"),))
    assert AskResult.from_wire(decode(encode(sent.to_wire()))) == sent
    presence = PresenceResult("away", "Back at 3", ("Back at 3",), published=True)
    assert PresenceResult.from_wire(decode(encode(presence.to_wire()))) == presence
    assert OpenLinkResult.from_wire(OpenLinkResult("chat").to_wire()) == OpenLinkResult("chat")
    claim = ClaimResult.from_wire({"request": {"id": "r1"}, "claimed_by": None, "won": False,
                                   "pending": True})
    assert claim == ClaimResult({"id": "r1"}, None, won=False, pending=True)
