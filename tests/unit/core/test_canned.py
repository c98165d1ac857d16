"""Canned replies: placeholders filled from the request; anything unknown stays as typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from supporttray.core.canned import fill, label, latest_sysinfo, request_values, their_local_time
from supporttray.core.messages import ChatMessage, Direction

# Late evening in UTC: the requester's clock (UTC-04:00) reads 19:00 on the same date.
NOW = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
SYSINFO = (("os.name", "Windows 11 Pro (10.0.22631)"), ("hw.model", "Latitude 7440"),
           ("local_time", "2026-11-23T19:58:12-04:00"))


def test_name_os_and_their_local_time_are_filled_from_the_request() -> None:
    values = request_values("Ann", SYSINFO, NOW)
    assert values == {"name": "Ann", "os": "Windows 11 Pro", "local_time": "19:00"}
    assert fill("Hi {name}, restart {os} please; it's {local_time} for you.", values) == (
        "Hi Ann, restart Windows 11 Pro please; it's 19:00 for you.")


@pytest.mark.parametrize("template", [
    "Hi {nmae}!", "{os} {local_time}", "{}", "{{name}}", "{ name }", "{name", "100% {", "{😀}",
])
def test_unknown_or_unfillable_placeholders_stay_as_typed(template: str) -> None:
    values = request_values("Ann", (), NOW)  # no system info: no {os}, no {local_time}
    filled = fill(template, values)
    assert filled == template.replace("{name}", "Ann")


def test_a_broken_local_time_is_left_out_not_an_error() -> None:
    values = request_values("Ann", (("local_time", "yesterday-ish"),), NOW)
    assert "local_time" not in values


def test_menu_labels_are_one_short_line() -> None:
    assert label("Hello\n  there") == "Hello there"
    assert len(label("x" * 80)) == 50 and label("x" * 80).endswith("…")


def test_os_is_never_filled_with_the_laptop_model() -> None:
    values = request_values("Ann", (("hw.model", "Latitude 7440"),), NOW)
    assert fill("Restart {os}", values) == "Restart {os}"


def test_their_local_time_follows_the_offset_they_sent() -> None:
    theirs = their_local_time(SYSINFO, NOW)
    assert theirs is not None
    assert (f"{theirs:%H:%M}", theirs.utcoffset()) == ("19:00", timedelta(hours=-4))


@pytest.mark.parametrize("sent", ["", "yesterday-ish", "2026-11-23T19:58:12"])
def test_without_a_usable_offset_their_local_time_is_unknown(sent: str) -> None:
    assert their_local_time((("local_time", sent),), NOW) is None
    assert their_local_time((), NOW) is None


def test_the_latest_sysinfo_is_from_their_newest_message_that_has_one() -> None:
    def msg(direction: Direction, sysinfo: tuple[tuple[str, str], ...]) -> ChatMessage:
        return ChatMessage("m", "ann@example.org", direction, "x", NOW, sysinfo=sysinfo)

    older = (("os.name", "Windows 10"),)
    newer = (("os.name", "Windows 11"),)
    ours = (("os.name", "Debian 12"),)
    messages = [msg(Direction.IN, older), msg(Direction.IN, newer), msg(Direction.IN, ()),
                msg(Direction.OUT, ours)]
    assert latest_sysinfo(messages) == newer
    assert latest_sysinfo([msg(Direction.OUT, ours)]) == ()
