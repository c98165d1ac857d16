"""A conversation, a request or a date range as a Markdown or a self-contained HTML document.

Pure: the caller gathers a `Transcript` (`gather` reads it from a HistoryStore) and writes the
text (owner-only, atomically: app/transcript_file.py). Notes are included and marked as notes.

Hostile content stays inert. Every name, body and field value goes through one escaper per
format: in HTML `html.escape` (quotes too), inside a document with no script, no link, no
external resource and a Content-Security-Policy that forbids them all the same; in Markdown a
body is a fenced block longer than any backtick run in it (renderers show it verbatim, raw
HTML included), and one-line text has Markdown's and HTML's special characters escaped.
Redaction leaves chosen system-info fields out (e.g. `net.addresses`).
"""

from __future__ import annotations

import enum
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Final

from supporttray.config.sysinfo_fields import LABELS
from supporttray.core.history import HistoryStore
from supporttray.core.history_conversations import Note
from supporttray.core.messages import ChatMessage, Direction
from supporttray.language.catalogue import _, current_language

# An export reads at most this many messages: a date range over years stays one file a
# browser can open.
MAX_EXPORT_MESSAGES: Final = 100_000


class ExportFormat(enum.Enum):
    MARKDOWN = "markdown"
    HTML = "html"


_BY_SUFFIX: Final = {
    ".md": ExportFormat.MARKDOWN, ".markdown": ExportFormat.MARKDOWN,
    ".html": ExportFormat.HTML, ".htm": ExportFormat.HTML,
}
SUFFIXES: Final = tuple(_BY_SUFFIX)


def format_for(path: PurePath) -> ExportFormat | None:
    """The format a file name asks for (.md/.markdown, .html/.htm), or None."""
    return _BY_SUFFIX.get(path.suffix.lower())


@dataclass(frozen=True)
class Transcript:
    """What one export holds: messages and notes, oldest first, and how to name the sides."""

    title: str
    messages: Sequence[ChatMessage]
    notes: Sequence[Note] = ()
    me: str = ""  # our account, shown for our own messages
    redact: frozenset[str] = field(default_factory=frozenset)  # system-info keys left out
    exported_at: datetime | None = None  # shown in the header when given


def gather(
    store: HistoryStore, *, peer: str | None = None, thread: str | None = None,
    since: datetime | None = None, until: datetime | None = None, me: str = "",
    redact: Iterable[str] = (), exported_at: datetime | None = None,
) -> Transcript:
    """One conversation (peer), one request (peer and thread) or a date range (any of them):
    read from `store` (a reader on an executor thread for a big one)."""
    messages = store.messages_between(peer=peer, thread=thread, since=since, until=until,
                                      limit=MAX_EXPORT_MESSAGES)
    notes = store.notes_between(peer=peer, thread=thread, since=since, until=until)
    return Transcript(title=_title(peer, thread, since, until), messages=messages, notes=notes,
                      me=me, redact=frozenset(redact), exported_at=exported_at)


def _title(peer: str | None, thread: str | None, since: datetime | None,
           until: datetime | None) -> str:
    if peer is not None and thread is not None:
        title = _("Request {thread} with {peer}").format(thread=thread, peer=peer)
    elif peer is not None:
        title = _("Conversation with {peer}").format(peer=peer)
    else:
        title = _("Chat history")
    if since is not None or until is not None:
        start = _day(since) if since is not None else "…"
        end = _day(until) if until is not None else "…"
        title += f", {start} – {end}"
    return title


# -- the parts both formats share ----------------------------------------------------------------

@dataclass(frozen=True)
class _Entry:
    at: datetime
    who: str
    body: str
    kind: str  # "in", "out" or "note"
    sysinfo: tuple[tuple[str, str], ...]
    thread: str | None


def _entries(transcript: Transcript) -> list[_Entry]:
    """Messages and notes in one list by time (a note after the messages of its moment)."""
    entries = [
        _Entry(m.timestamp, m.peer if m.direction is Direction.IN else (transcript.me or _("Me")),
               m.body, m.direction.value,
               tuple((k, v) for k, v in m.sysinfo if k not in transcript.redact), m.thread)
        for m in transcript.messages
    ]
    entries += [_Entry(n.at, n.author, n.body, "note", (), n.thread) for n in transcript.notes]
    entries.sort(key=lambda e: (e.at, e.kind == "note"))
    return entries


def _summary(transcript: Transcript) -> str:
    line = _("Messages: {messages} · Notes: {notes}").format(
        messages=len(transcript.messages), notes=len(transcript.notes))
    if transcript.exported_at is not None:
        line = _("Exported {when}").format(when=_moment(transcript.exported_at)) + " · " + line
    return line


def _moment(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _day(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d")


def _label(key: str) -> str:
    return LABELS.get(key, key)


# -- Markdown ------------------------------------------------------------------------------------

# Inline markup only: our one-line texts never start a line where `#`, `-` or `1.` would count.
_MD_SPECIAL: Final = re.compile(r"([\\`*_\[\]|~])")
_BACKTICKS: Final = re.compile(r"`+")


def _md_text(text: str) -> str:
    """One line of text that Markdown shows as it is: no markup, no raw HTML, no line break."""
    flat = " ".join(text.split())
    return _MD_SPECIAL.sub(r"\\\1", html.escape(flat, quote=False))


def _md_block(body: str) -> str:
    """A body as a fenced block: shown verbatim, whatever it holds (HTML, fences, Markdown)."""
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


def to_markdown(transcript: Transcript) -> str:
    out = [f"# {_md_text(transcript.title)}", "", _md_text(_summary(transcript)), ""]
    for entry in _entries(transcript):
        if entry.kind == "note":
            head = _("Note by {who}, not sent").format(who=entry.who)
            out.append(f"### {_md_text(head)} · {_md_text(_moment(entry.at))}")
        else:
            out.append(f"### {_md_text(entry.who)} · {_md_text(_moment(entry.at))}")
        out += ["", _md_block(entry.body), ""]
        if entry.sysinfo:
            out += [f"| {_md_text(_('System info'))} | |", "|---|---|"]
            out += [f"| {_md_text(_label(k))} | {_md_text(v)} |" for k, v in entry.sysinfo]
            out.append("")
    return "\n".join(out)


# -- HTML ----------------------------------------------------------------------------------------

# Nothing may load or run: no script, no image, no font, no form, no frame.
_CSP: Final = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
_CSS: Final = """
body { font: 15px/1.45 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto;
       padding: 0 1rem; color: #1d1d1f; background: #fff; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; }
.summary { color: #666; margin-top: 0; }
.entry { margin: 1rem 0; padding: .6rem .8rem; border-radius: .5rem; background: #f3f4f6; }
.entry.out { background: #e7f0ff; }
.entry.note { background: #fff8d6; border-left: 4px solid #e0b000; }
.meta { font-size: .85rem; color: #555; margin-bottom: .3rem; }
.who { font-weight: 600; color: #1d1d1f; }
.body { white-space: pre-wrap; overflow-wrap: anywhere; }
table.sysinfo { border-collapse: collapse; margin-top: .6rem; font-size: .85rem; }
table.sysinfo caption { text-align: left; font-weight: 600; padding-bottom: .2rem; }
table.sysinfo th, table.sysinfo td { text-align: left; padding: .15rem .6rem .15rem 0;
                                     vertical-align: top; }
table.sysinfo th { color: #555; font-weight: normal; }
""".strip()


def _h(text: str) -> str:
    return html.escape(text, quote=True)


def to_html(transcript: Transcript) -> str:
    parts = [
        "<!DOCTYPE html>",
        # The labels' language (a screen reader reads the page in it); bodies are as written.
        f'<html lang="{_h(current_language().replace("_", "-"))}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_h(_CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{_h(transcript.title)}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        f"<h1>{_h(transcript.title)}</h1>",
        f'<p class="summary">{_h(_summary(transcript))}</p>',
    ]
    for entry in _entries(transcript):
        who = (_("Note by {who}, not sent").format(who=entry.who) if entry.kind == "note"
               else entry.who)
        parts.append(f'<section class="entry {entry.kind}">')
        parts.append(f'<div class="meta"><span class="who">{_h(who)}</span> · '
                     f'<time datetime="{_h(entry.at.astimezone(UTC).isoformat())}">'
                     f"{_h(_moment(entry.at))}</time></div>")
        parts.append(f'<div class="body">{_h(entry.body)}</div>')
        if entry.sysinfo:
            parts.append('<table class="sysinfo">')
            parts.append(f"<caption>{_h(_('System info'))}</caption>")
            parts += [f"<tr><th>{_h(_label(k))}</th><td>{_h(v)}</td></tr>"
                      for k, v in entry.sysinfo]
            parts.append("</table>")
        parts.append("</section>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def render(transcript: Transcript, fmt: ExportFormat) -> str:
    return to_markdown(transcript) if fmt is ExportFormat.MARKDOWN else to_html(transcript)
