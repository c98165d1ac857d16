"""What a staff client accepts from a requester's form (core/sysinfo.py) under hypothesis:
under any limits only SysinfoRejected or clean single lines, the same answer when a colleague's
client checks the same fields again, and a value that needs no cleaning is left as it is."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from supporttray.config.sysinfo_fields import LABELS
from supporttray.core.sysinfo import (
    KEY_PATTERN,
    SysinfoRejected,
    clean_value,
    validate_received,
)
from tests.unit.core.test_sysinfo import is_unsafe
from tests.unit.hostile_input import ANY_TEXT, AWKWARD, examples

LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
KEYS = st.one_of(st.sampled_from(sorted(LABELS)), st.from_regex(KEY_PATTERN, fullmatch=True),
                 st.text(max_size=70))  # fmt: skip
VALUES = st.one_of(
    ANY_TEXT,
    st.text(st.sampled_from(AWKWARD + LINE_BREAKS + " \t\x00\x1b"), max_size=60),
    # Long runs, cheaply: a value around any limit below.
    st.builds(lambda run, times: run * times, st.text(min_size=1, max_size=4),
              st.integers(min_value=50, max_value=1200)),
)
ENTRIES = st.lists(st.one_of(st.tuples(KEYS, VALUES), st.tuples(KEYS), st.none(),
                             st.tuples(st.integers(), VALUES)), max_size=40)  # fmt: skip


@examples(100)
@given(entries=ENTRIES, max_fields=st.integers(min_value=0, max_value=45),
       max_value_chars=st.integers(min_value=1, max_value=300),
       max_total_chars=st.integers(min_value=0, max_value=4000))  # fmt: skip
def test_under_any_limits_validation_rejects_or_gives_clean_single_lines_within_them(
    entries: list[object], max_fields: int, max_value_chars: int, max_total_chars: int
) -> None:
    try:
        received = validate_received(iter(entries), max_fields=max_fields,  # type: ignore[arg-type]
                                     max_value_chars=max_value_chars,
                                     max_total_chars=max_total_chars)
    except SysinfoRejected as rejected:
        assert str(rejected)  # the reason, for the log
        return
    assert len(received.items) <= max_fields
    assert sum(len(i.key) + len(i.value) for i in received.items) <= max_total_chars
    for item in received.items:
        assert len(item.value) <= max_value_chars
        assert item.value == item.value.strip()
        assert not any(c in LINE_BREAKS or is_unsafe(c) for c in item.value), ascii(item.value)


@examples(80)
@given(entries=ENTRIES)
def test_fields_accepted_once_are_accepted_again_unchanged(entries: list[object]) -> None:
    # A request's system info is checked by the staff client it reached, posted to the staff
    # room, and checked again by each colleague's client: all must show the same panel.
    try:
        first = validate_received(entries)  # type: ignore[arg-type]
    except SysinfoRejected:
        return

    again = validate_received(first.as_pairs())

    assert again.as_pairs() == first.as_pairs()


@examples(100)
@given(value=VALUES, max_chars=st.integers(min_value=1, max_value=400))
def test_a_cleaned_value_is_one_clean_line_within_the_limit_and_stays_as_it_is(
    value: str, max_chars: int
) -> None:
    cleaned = clean_value(value, max_chars)

    assert len(cleaned) <= max_chars
    assert not any(c in LINE_BREAKS or is_unsafe(c) for c in cleaned), ascii(cleaned)
    assert clean_value(cleaned, max_chars) == cleaned
    # and a short value with nothing to clean is left exactly as it was
    if len(value) <= max_chars and value == value.strip() and not any(
            c in LINE_BREAKS or is_unsafe(c) for c in value):
        assert cleaned == value
