"""Exported transcripts: golden Markdown and HTML, hostile content inert, redaction, notes."""

from __future__ import annotations

import html
import os
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path, PurePath

import pytest

from supporttray.core.history import HistoryStore
from supporttray.core.history_conversations import Note
from supporttray.core.messages import ChatMessage, Delivery, Direction
from supporttray.core.transcript_export import (
    ExportFormat,
    Transcript,
    format_for,
    gather,
    to_html,
    to_markdown,
)
from supporttray.language import catalogue

GOLDEN = Path(__file__).parent / "golden"
ALICE = "alice@example.org"
ME = "dave@example.org"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "[click me](javascript:alert(3)) <a href=\"javascript:alert(4)\">link</a>",
    "```\n</div><svg onload=alert(5)>\n```",
    "<style>body{display:none}</style><iframe src=//evil.example></iframe>",
]


def transcript(*, redact: frozenset[str] = frozenset()) -> Transcript:
    messages = [
        ChatMessage("m1", ALICE, Direction.IN, "The printer on floor 2 jams.\nSince Monday.",
                    T0, "st-1", Delivery.RECEIVED,
                    sysinfo=(("os.name", "Debian"), ("host.name", "pc-17"),
                             ("net.addresses", "10.0.0.7, fe80::1"),
                             ("cpu", "<b>x86</b> | 4 cores"))),
        ChatMessage("m2", ALICE, Direction.OUT, "Which tray? *Try* `tray 2`.",
                    T0 + timedelta(minutes=3), "st-1", Delivery.DELIVERED),
    ]
    notes = [Note(1, ALICE, "st-1", ME, T0 + timedelta(minutes=5),
                  "Replaced the RAID card, vendor ticket 4411")]
    return Transcript(title=f"Conversation with {ALICE}", messages=messages, notes=notes,
                      me=ME, redact=redact, exported_at=T0 + timedelta(days=1))


def hostile_transcript() -> Transcript:
    messages = [
        ChatMessage(f"h{i}", '"><script>x</script>@evil.example', Direction.IN, body,
                    T0 + timedelta(minutes=i), "st-<i>", Delivery.RECEIVED,
                    sysinfo=(("os.name\" onmouseover=\"alert(6)", "<script>alert(7)</script>"),))
        for i, body in enumerate(HOSTILE)
    ]
    notes = [Note(9, ALICE, None, "<img src=x onerror=alert(8)>", T0, HOSTILE[0])]
    return Transcript(title="<script>alert(9)</script>", messages=messages, notes=notes,
                      me='javascript:alert("me")')


@pytest.mark.parametrize(("render", "name"), [(to_markdown, "transcript.md"),
                                              (to_html, "transcript.html")])
def test_an_export_matches_its_golden_file(render: object, name: str) -> None:
    text = render(transcript(redact=frozenset({"net.addresses"})))  # type: ignore[operator]
    golden = GOLDEN / name
    if os.environ.get("SUPPORTTRAY_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_redaction_leaves_the_chosen_fields_out() -> None:
    kept = to_html(transcript())
    redacted = to_html(transcript(redact=frozenset({"net.addresses", "host.name"})))
    assert "10.0.0.7" in kept and "pc-17" in kept
    assert "10.0.0.7" not in redacted and "pc-17" not in redacted and "Debian" in redacted
    assert "10.0.0.7" not in to_markdown(transcript(redact=frozenset({"net.addresses"})))


def test_notes_are_exported_and_marked_as_notes() -> None:
    assert "Note by dave@example.org, not sent" in to_markdown(transcript())
    assert '<section class="entry note">' in to_html(transcript())


class _ActiveContent(HTMLParser):
    """Collects everything in a document that could run or load something."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("script", "img", "iframe", "svg", "object", "embed", "a", "link", "base",
                   "form"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if value is not None and "javascript:" in value.replace(" ", "").lower():
                self.found.append(f"{tag} {name}={value}")
            if name in ("src", "href", "srcset", "action"):
                self.found.append(f"{tag} {name}")


def test_hostile_content_runs_nothing_in_the_html_export() -> None:
    page = to_html(hostile_transcript())
    parser = _ActiveContent()
    parser.feed(page)
    parser.close()
    assert parser.found == []
    assert parser.tags.count("style") == 1  # ours, in <head>; the body's one is text
    for body in HOSTILE:  # each shown as text: escaped, not dropped
        assert body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
            '"', "&quot;").replace("'", "&#x27;") in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in html.unescape(page)


def test_hostile_bodies_stay_inside_their_markdown_block() -> None:
    page = to_markdown(hostile_transcript())
    assert "\n````text\n```\n</div><svg onload=alert(5)>\n```\n````\n" in page
    assert "<script>alert(9)" not in page.split("\n", 1)[0]  # the title is escaped
    assert "Note by &lt;img src=x onerror=alert(8)&gt;, not sent" in page


@pytest.mark.parametrize(("name", "fmt"), [
    ("out.md", ExportFormat.MARKDOWN), ("OUT.Markdown", ExportFormat.MARKDOWN),
    ("a/b.html", ExportFormat.HTML), ("x.HTM", ExportFormat.HTML), ("x.txt", None), ("x", None),
])
def test_the_format_comes_from_the_extension(name: str, fmt: ExportFormat | None) -> None:
    assert format_for(PurePath(name)) is fmt


def test_gather_reads_one_request_or_a_date_range_from_the_store() -> None:
    with HistoryStore(":memory:") as store:
        for i, thread in enumerate(["st-1", "st-2", "st-1"]):
            store.add(ChatMessage(f"m{i}", ALICE, Direction.IN, f"body {i}",
                                  T0 + timedelta(days=i), thread))
        store.add_note(ALICE, "st-1", "a note", author=ME, at=T0 + timedelta(hours=1))
        one = gather(store, peer=ALICE, thread="st-1", me=ME)
        later = gather(store, since=T0 + timedelta(days=1), until=T0 + timedelta(days=2))
    assert [m.id for m in one.messages] == ["m0", "m2"] and len(one.notes) == 1
    assert one.title == f"Request st-1 with {ALICE}"
    assert [m.id for m in later.messages] == ["m1"] and list(later.notes) == []
    assert later.title == "Chat history, 2026-03-02 – 2026-03-03"


def test_an_export_made_in_a_german_ui_has_german_labels_and_says_so() -> None:
    catalogue.install("de")
    try:
        page = to_html(transcript())
    finally:
        catalogue.install("en")
    assert '<html lang="de">' in page
    assert f"Notiz von {ME}, nicht gesendet" in page
    assert "Drucker" not in page and "The printer on floor 2 jams." in page  # bodies as written
    assert '<html lang="en">' in to_html(transcript())
