"""The system-info model: its readable block, its summary, and what a staff client accepts."""

from __future__ import annotations

import logging
import time
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supporttray.config.schema import KEYS as SETTINGS
from supporttray.config.sysinfo_fields import LABELS
from supporttray.core.sysinfo import (
    BLOCK_HEADER,
    KEY_PATTERN,
    MAX_LOCAL_VALUE_CHARS,
    UNAVAILABLE,
    SysinfoItem,
    SysinfoRejected,
    SysinfoSnapshot,
    clean_value,
    validate_received,
)

TAKEN = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def is_unsafe(char: str) -> bool:
    """A character no value may carry: control, surrogate, bidi control, line separator."""
    return (
        unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")
        or char in BIDI_CONTROLS
        or char in "\ufffe\uffff"
    )


EXAMPLE = SysinfoSnapshot.from_pairs(
    [
        ("os.name", "Debian GNU/Linux 12 (bookworm)"),
        ("hw.model", "ThinkPad T14 Gen 1 (20S0000XX)"),
        ("mem.available", "7.1 GiB"),
        ("net.addresses", "eth0 192.168.1.5, wlan0 10.0.0.3"),
        ("local_time", "2026-01-01T13:00:00+01:00"),
        ("conn.tls", "TLSv1.3"),
    ],
    TAKEN,
)


# -- labels -------------------------------------------------------------------------------------
def test_the_policy_default_sends_every_labelled_field_in_the_shown_order() -> None:
    assert SETTINGS["sysinfo.fields"].default == tuple(LABELS)


def test_labels_read_as_people_call_things() -> None:
    assert LABELS["os.name"] == "OS"
    assert LABELS["hw.model"] == "Model"
    assert LABELS["mem.available"] == "Memory free"
    assert LABELS["net.addresses"] == "IP addresses"
    assert LABELS["local_time"] == "Local time"
    assert LABELS["conn.tls"] == "TLS"


def test_a_field_from_a_newer_client_is_labelled_with_its_key() -> None:
    assert SysinfoItem("gpu.model", "x").label == "gpu.model"


# -- the snapshot -------------------------------------------------------------------------------
def test_removing_fields_in_the_preview_keeps_the_rest_in_order() -> None:
    # When the user removes two fields
    kept = EXAMPLE.without(["hw.model", "local_time"])
    # Then the others stay, in the same order, with the same time
    assert [i.key for i in kept.items] == ["os.name", "mem.available", "net.addresses", "conn.tls"]
    assert kept.taken_at == TAKEN


def test_only_keeps_the_policy_order_not_the_order_asked_for() -> None:
    picked = EXAMPLE.only(["conn.tls", "os.name", "not.there"])
    assert [i.key for i in picked.items] == ["os.name", "conn.tls"]


def test_lookups_and_pairs_round_trip() -> None:
    assert EXAMPLE.get("conn.tls") == "TLSv1.3"
    assert EXAMPLE.get("cpu") is None
    assert SysinfoSnapshot.from_pairs(EXAMPLE.as_pairs(), TAKEN) == EXAMPLE
    assert EXAMPLE.as_dict()["mem.available"] == "7.1 GiB"
    assert list(EXAMPLE.as_dict()) == [k for k, _ in EXAMPLE.as_pairs()]


def test_a_snapshot_time_is_kept_in_utc() -> None:
    berlin = datetime(2026, 1, 1, 13, 0, tzinfo=timezone(timedelta(hours=1)))
    taken = SysinfoSnapshot((), berlin).taken_at
    assert taken == TAKEN and taken.tzinfo is UTC


def test_a_naive_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        SysinfoSnapshot((), datetime(2026, 1, 1, 12, 0))


# -- the readable block -------------------------------------------------------------------------
def test_text_block_has_a_header_then_one_line_per_field() -> None:
    block = EXAMPLE.text_block()

    assert block.startswith("\n\n" + BLOCK_HEADER + "\n")
    lines = block.removeprefix("\n\n").split("\n")
    assert lines[0] == BLOCK_HEADER
    assert lines[1:] == [f"{item.label}: {item.value}" for item in EXAMPLE.items]
    assert "OS: Debian GNU/Linux 12 (bookworm)" in lines
    assert "IP addresses: eth0 192.168.1.5, wlan0 10.0.0.3" in lines


def test_text_block_keeps_each_value_on_its_line_without_control_characters() -> None:
    # Given values with line breaks, a bell, a right-to-left override and a tab
    hostile = SysinfoSnapshot.from_pairs(
        [("host.name", "pc\nFake: line\x07"), ("user.name", "a\u202etxt.exe\tb")], TAKEN
    )
    # When it is written out
    lines = hostile.text_block().removeprefix("\n\n").split("\n")
    # Then there is still one line per field, with nothing invisible in it
    assert lines == [BLOCK_HEADER, "Computer name: pc Fake: line", "User: atxt.exe b"]
    assert not any(is_unsafe(c) for c in "".join(lines))


def test_an_empty_snapshot_adds_no_block() -> None:
    assert SysinfoSnapshot((), TAKEN).text_block() == ""


def test_summary_names_the_os_and_the_model_briefly() -> None:
    assert EXAMPLE.summary() == "Debian 12 · ThinkPad T14 Gen 1"


def test_summary_skips_what_is_unavailable_and_falls_back_to_the_host() -> None:
    only_host = SysinfoSnapshot.from_pairs(
        [("os.name", UNAVAILABLE), ("hw.model", UNAVAILABLE), ("host.name", "pc-42")], TAKEN
    )
    assert only_host.summary() == "pc-42"
    assert SysinfoSnapshot((), TAKEN).summary() == ""


# -- cleaning a value ---------------------------------------------------------------------------
def test_clean_value_cuts_long_text_with_an_ellipsis() -> None:
    cut = clean_value("x" * 10_000, 100)
    assert len(cut) == 100 and cut.endswith("…")
    assert clean_value("short", 100) == "short"


# -- what a staff client accepts from the network -----------------------------------------------
def test_a_well_formed_form_is_accepted_in_the_standard_order() -> None:
    received = validate_received(
        [("gpu.model", "RTX"), ("hw.model", "T14"), ("os.name", "Debian 12")], taken_at=TAKEN
    )
    # Known fields first, in the standard order; a newer client's field after them
    assert received.as_pairs() == (("os.name", "Debian 12"), ("hw.model", "T14"),
                                   ("gpu.model", "RTX"))
    assert received.taken_at == TAKEN


def test_ten_thousand_fields_are_rejected_fast() -> None:
    # Given a form with 10,000 fields
    flood = [(f"f{i}", "v" * 100) for i in range(10_000)]
    # When it is validated
    started = time.thread_time()  # CPU time: other processes on CI do not count
    with pytest.raises(SysinfoRejected, match="too many fields") as caught:
        validate_received(flood)
    elapsed = time.thread_time() - started
    # Then it is rejected, with a reason for the log, long before reading it all
    assert "64" in str(caught.value)
    assert elapsed < 0.05, f"took {elapsed * 1e3:.1f} ms"


def test_reading_stops_at_the_first_field_past_the_limit() -> None:
    read = 0

    def endless() -> Iterator[tuple[str, str]]:
        nonlocal read
        while True:
            read += 1
            yield (f"f{read}", "v")

    with pytest.raises(SysinfoRejected):
        validate_received(endless(), max_fields=10)
    assert read == 11


def test_a_one_megabyte_value_is_cut_not_rejected() -> None:
    received = validate_received([("cpu", "A" * 1_000_000)])
    value = received.get("cpu")
    assert value is not None
    assert len(value) == 2048 and value.endswith("…")


def test_a_form_too_large_overall_is_rejected() -> None:
    # Each value is within its own limit; together they are not
    big = [(f"extra.{i}", "x" * 2000) for i in range(20)]
    with pytest.raises(SysinfoRejected, match="too large"):
        validate_received(big)


def test_right_to_left_override_and_control_characters_are_stripped() -> None:
    received = validate_received(
        [
            ("host.name", "invoice\u202egpj.exe"),
            ("user.name", "bob\x00\x1b[31m\x7f\u0085\u200f"),
            ("tz", "Europe/Berlin\r\nInjected: yes"),
        ]
    )
    assert received.get("host.name") == "invoicegpj.exe"
    assert received.get("user.name") == "bob[31m"
    assert received.get("tz") == "Europe/Berlin Injected: yes"


@pytest.mark.parametrize(
    "bad_key",
    ["OS.Name", "", "x" * 65, "has space", "semi;colon", "ünï", "a\nb", "dot/slash"],
)
def test_malformed_keys_are_dropped_and_the_drop_is_logged(
    bad_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="supporttray.sysinfo"):
        received = validate_received([(bad_key, "x"), ("os.name", "Debian 12")])
    assert received.as_pairs() == (("os.name", "Debian 12"),)
    assert "dropped 1 malformed" in caplog.text


def test_a_repeated_key_keeps_its_first_value() -> None:
    received = validate_received([("os.name", "first"), ("os.name", "second")])
    assert received.as_pairs() == (("os.name", "first"),)


def test_entries_that_are_not_text_pairs_are_dropped() -> None:
    garbage: list[object] = [("cpu", 3), (1, "x"), ("a", "b", "c"), None, ("os.name", "ok")]
    received = validate_received(garbage)  # type: ignore[arg-type]
    assert received.as_pairs() == (("os.name", "ok"),)


def test_our_own_largest_form_is_always_accepted() -> None:
    # Given every standard field at the largest value we ever send
    ours = SysinfoSnapshot.from_pairs(
        [(key, "x" * MAX_LOCAL_VALUE_CHARS) for key in LABELS], TAKEN
    )
    # Then a staff client with the default limits takes it whole
    assert validate_received(ours.as_pairs()).as_pairs() == ours.as_pairs()


# Any character at all, surrogates and controls included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=300)
KEYS = st.one_of(
    st.sampled_from(sorted(LABELS)),
    st.from_regex(KEY_PATTERN, fullmatch=True),
    st.text(max_size=80),
)
ENTRY = st.one_of(
    st.tuples(KEYS, ANY_TEXT),
    st.tuples(KEYS, st.text(st.sampled_from("a\u202e\x00\n…"), min_size=2000, max_size=2200)),
    st.tuples(st.integers(), ANY_TEXT),
    st.tuples(KEYS),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(ENTRY, max_size=80))
def test_validation_only_ever_rejects_or_returns_clean_fields(entries: list[object]) -> None:
    try:
        received = validate_received(entries)  # type: ignore[arg-type]
    except SysinfoRejected as rejected:
        assert str(rejected)
        return
    keys = [item.key for item in received.items]
    assert len(keys) == len(set(keys)) <= 64
    assert all(KEY_PATTERN.fullmatch(key) for key in keys)
    assert all(len(item.value) <= 2048 for item in received.items)
    assert sum(len(i.key) + len(i.value) for i in received.items) <= 16384
    assert not any(is_unsafe(c) for item in received.items for c in item.value)
    known = [k for k in keys if k in LABELS]
    assert keys[: len(known)] == sorted(known, key=list(LABELS).index)
