"""Shortening text to one line: the one rule every list, menu and notification uses."""

from __future__ import annotations

from supporttray.core.text import first_line, one_line, shorten


def test_one_line_collapses_whitespace_and_cuts_long_text() -> None:
    assert one_line("Back\n  at 3", 60) == "Back at 3"
    cut = one_line("x" * 100, limit=10)
    assert cut == "x" * 9 + "…"
    assert len(cut) == 10


def test_text_that_fits_is_kept_as_it_is() -> None:
    assert shorten("x" * 10, 10) == "x" * 10


def test_the_ellipsis_follows_a_word_not_a_gap() -> None:
    assert shorten("Printer is     on fire", 12) == "Printer is…"


def test_first_line_skips_blank_lines_and_is_cut() -> None:
    assert first_line("\n \n  Printer   on fire \nsecond") == "Printer on fire"
    assert first_line("y" * 500, limit=20) == "y" * 19 + "…"
    assert first_line("\n\n") == ""
