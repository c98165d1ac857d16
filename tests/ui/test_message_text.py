"""Message text: always plain, only safe links clickable, nothing that hides or reorders."""

from __future__ import annotations

import time

import pytest

from supporttray.ui.message_text import (
    SHORT_CHARS,
    clean,
    first_line,
    is_allowed_link,
    links,
    notification_text,
    shorten,
    to_html,
)


def test_html_in_a_body_is_shown_literally() -> None:
    html = to_html("<script>alert('x')</script> <b>bold</b> &amp;")
    assert "<script" not in html and "<b>" not in html
    assert html == "&lt;script&gt;alert('x')&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt; &amp;amp;"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/a?b=1&c=2",
        "http://example.org",
        "mailto:help@example.org",
        "xmpp:alice@example.org?message",
        "HTTPS://EXAMPLE.ORG/CAPS",
    ],
)
def test_allowed_schemes_become_links(url: str) -> None:
    assert links(f"see {url} now") == [url]
    assert f'href="{url.replace("&", "&amp;")}"' in to_html(f"see {url} now")


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>alert(1)</script>",
        "smb://server/share",
        "vbscript:msgbox",
        "xhttps://glued.example.org",
        "https://",
        "mailto:",
    ],
)
def test_other_schemes_stay_plain_text(text: str) -> None:
    assert links(text) == []
    assert "<a " not in to_html(text)


def test_a_quote_cannot_break_out_of_the_href() -> None:
    html = to_html('https://example.org/"onmouseover="alert(1)')
    assert html == ('<a href="https://example.org/">https://example.org/</a>"onmouseover="alert(1)')


def test_sentence_punctuation_is_not_part_of_a_link() -> None:
    text = "Read https://example.org/a. Or (https://example.org/b), or https://x.org/c_(d)!"
    assert links(text) == [
        "https://example.org/a",
        "https://example.org/b",
        "https://x.org/c_(d)",
    ]


def test_link_check_refuses_what_the_view_would_not_make_a_link() -> None:
    assert is_allowed_link("https://example.org")
    assert is_allowed_link("mailto:a@b.org")
    assert not is_allowed_link("javascript:alert(1)")
    assert not is_allowed_link(" JavaScript:alert(1)")
    assert not is_allowed_link("file:///etc/passwd")
    assert not is_allowed_link("no scheme at all")


def test_bidi_overrides_are_removed_so_nothing_is_reordered() -> None:
    assert clean("invoice\u202egpj.exe and \u2066isolated\u2069 \u202aembedded\u202c") == (
        "invoicegpj.exe and isolated embedded"
    )


def test_plain_direction_marks_are_kept_for_real_right_to_left_text() -> None:
    assert clean("שלום\u200f!") == "שלום\u200f!"


def test_control_characters_are_removed_and_line_breaks_normalised() -> None:
    assert clean("a\x00b\x1b[31mc\x7f\r\nd\re\u2028f\x85g\tt") == "ab[31mc\nd\ne\nf\ng\tt"


def test_a_short_body_is_shown_whole() -> None:
    shown = shorten("Hello\nthere")
    assert (shown.text, shown.shortened, shown.hidden_chars) == ("Hello\nthere", False, 0)


def test_a_megabyte_body_is_shortened_without_reading_all_of_it() -> None:
    body = "word " * 200_000
    started = time.thread_time()  # CPU time: other processes on CI do not count
    shown = shorten(body)
    html = to_html(shown.text)
    assert time.thread_time() - started < 0.05
    assert shown.shortened
    assert len(shown.text) <= SHORT_CHARS
    assert shown.hidden_chars == len(body) - len(shown.text)
    assert len(html) < 2 * SHORT_CHARS


def test_a_body_of_many_short_lines_is_shortened_by_lines() -> None:
    shown = shorten("\n".join(f"line {i}" for i in range(100)), max_lines=40)
    assert shown.shortened
    assert shown.text.splitlines()[-1] == "line 39"


def test_a_long_word_gets_break_chances_so_it_can_wrap() -> None:
    html = to_html("x" * 100)
    assert "\u200b" in html
    assert html.replace("\u200b", "") == "x" * 100


def test_first_line_skips_blank_lines_and_is_cut() -> None:
    assert first_line("\n\n  Printer   on fire \nsecond") == "Printer on fire"
    assert first_line("y" * 500, limit=20) == "y" * 19 + "…"


def test_notification_text_cannot_form_markup() -> None:
    text = notification_text('<a href="https://evil.example">click</a> & <img src=x>')
    assert "<" not in text and ">" not in text
    assert text == '‹a href="https://evil.example"›click‹/a› & ‹img src=x›'
