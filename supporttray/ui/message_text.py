"""What a chat message looks like as text: cleaned, shortened, escaped, links made clickable.

Qt-free (unit-testable without widgets). A message body is someone else's text: nothing in it
is ever interpreted as markup, only literal http/https/mailto/xmpp addresses become links, and
characters that would hide or reorder what is shown (controls, bidi overrides) are removed.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Final

from supporttray.core.text import first_line as core_first_line

# The schemes a click may open. Everything else (javascript:, file:, data:, smb:, ...) stays text.
ALLOWED_SCHEMES: Final = frozenset({"http", "https", "mailto", "xmpp"})

# What the chat shows of a body before "Show all": enough for any real question, and it keeps
# a megabyte body from costing more to lay out than a short one.
SHORT_CHARS: Final = 4_000
SHORT_LINES: Final = 40
NOTIFICATION_CHARS: Final = 100

# Embeddings, overrides and isolates (LRE..RLO, LRI..PDI) change the order in which the rest
# of the line is *displayed* ("invoice\u202egpj.exe" looks like "invoiceexe.jpg"); they go.
# The plain marks (LRM, RLM, ALM) have no effect past themselves and help real RTL text: kept.
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
# Line and paragraph separators (and a lone CR) are line breaks like any other.
_BREAKS = re.compile(r"\r\n?|[\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Every other control character is invisible or unprintable: C0 (but tab and newline), DEL, C1,
# lone surrogates (cannot be encoded) and the noncharacters U+FFFE/U+FFFF.
_INVISIBLE = re.compile(
    f"[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f{_BIDI_CONTROLS}\ud800-\udfff\ufffe\uffff]"
)
_NEEDS_CLEANING = re.compile(
    f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_CONTROLS}\u2028\u2029\ud800-\udfff\ufffe\uffff]"
)

# A literal address with an allowed scheme, not glued to a word before it ("xhttp://" is text).
_LINK = re.compile(r"(?<![\w.+-])(?:https?://|mailto:|xmpp:)[^\s<>\"\u00a0]+", re.IGNORECASE)
_TRAILING_PUNCTUATION = ".,;:!?'\"*_"
_CLOSERS = {")": "(", "]": "[", "}": "{"}
# A run this long without a space cannot wrap; the view gets zero-width break chances in it.
_UNBREAKABLE = re.compile(r"\S{48,}")
_BREAK_EVERY = 24
_ZERO_WIDTH_SPACE = "\u200b"


def clean(text: str) -> str:
    """`text` with control and bidi-override characters removed and every line break a "\\n"."""
    if _NEEDS_CLEANING.search(text) is None:
        return text
    return _INVISIBLE.sub("", _BREAKS.sub("\n", text))


@dataclass(frozen=True)
class ShownText:
    """The part of a body the chat shows, and whether there is more behind "Show all"."""

    text: str
    shortened: bool
    hidden_chars: int  # how many characters of the body are not in `text`


def shorten(body: str, max_chars: int = SHORT_CHARS, max_lines: int = SHORT_LINES) -> ShownText:
    """The cleaned start of `body`: at most `max_chars` characters and `max_lines` lines.

    Only a slice of a long body is cleaned, so a megabyte costs no more than a short message.
    A cut prefers a line break or a space near the limit over the middle of a word.
    """
    if max_chars < 1 or max_lines < 1:
        raise ValueError("max_chars and max_lines must be at least 1")
    window = body[: max_chars * 2]
    head = clean(window)
    cut = len(head)
    newline = -1
    for _ in range(max_lines):
        newline = head.find("\n", newline + 1)
        if newline < 0:
            break
    else:
        cut = newline  # the end of line `max_lines`
    cut = min(cut, max_chars)
    if cut >= len(head) and len(window) == len(body):
        return ShownText(head, shortened=False, hidden_chars=0)
    if cut == max_chars:
        # Step back to a space near the limit rather than cut a word, unless that loses much.
        space = head.rfind(" ", 0, cut)
        if space > max_chars * 0.9:
            cut = space
    shown = head[:cut].rstrip()
    return ShownText(shown, shortened=True, hidden_chars=max(1, len(body) - len(shown)))


def is_allowed_link(url: str) -> bool:
    """True when a click on `url` may open it: an allowed scheme and something after it."""
    scheme, colon, rest = url.strip().partition(":")
    if not colon or scheme.lower() not in ALLOWED_SCHEMES:
        return False
    rest = rest.removeprefix("//") if scheme.lower() in ("http", "https") else rest
    return bool(rest.strip())


def _trim_link(url: str) -> str:
    """Drop what a sentence put after an address: "(see https://x.org/a)." -> "https://x.org/a"."""
    while url:
        last = url[-1]
        unbalanced = last in _CLOSERS and url.count(last) > url.count(_CLOSERS[last])
        if last in _TRAILING_PUNCTUATION or unbalanced:
            url = url[:-1]
        else:
            break
    return url


def _escape_breakable(text: str) -> str:
    """HTML-escaped `text`, with break chances in runs too long to wrap."""
    if _UNBREAKABLE.search(text) is not None:
        text = _UNBREAKABLE.sub(
            lambda m: _ZERO_WIDTH_SPACE.join(
                m.group(0)[i : i + _BREAK_EVERY] for i in range(0, len(m.group(0)), _BREAK_EVERY)
            ),
            text,
        )
    return html.escape(text, quote=False)


def to_html(text: str) -> str:
    """Cleaned `text` as an HTML fragment: everything escaped, allowed addresses as links.

    The caller shows it in an element with `white-space: pre-wrap`, so spaces and line breaks
    stay as typed.
    """
    text = clean(text)
    parts: list[str] = []
    position = 0
    for match in _LINK.finditer(text):
        url = _trim_link(match.group(0))
        if not is_allowed_link(url):
            continue
        start = match.start()
        parts.append(_escape_breakable(text[position:start]))
        href = html.escape(url, quote=True)
        parts.append(f'<a href="{href}">{_escape_breakable(url)}</a>')
        position = start + len(url)
    parts.append(_escape_breakable(text[position:]))
    return "".join(parts)


def links(text: str) -> list[str]:
    """The addresses `to_html` makes clickable, in order."""
    text = clean(text)
    return [
        url for match in _LINK.finditer(text) if is_allowed_link(url := _trim_link(match.group(0)))
    ]


def first_line(text: str, limit: int = NOTIFICATION_CHARS) -> str:
    """The first non-empty line of `text`, cleaned and cut to `limit` with "…"."""
    return core_first_line(clean(text[: limit * 4]), limit)


def notification_text(text: str, limit: int = NOTIFICATION_CHARS) -> str:
    """`first_line` safe for a desktop notification, whose body some platforms read as markup.

    Freedesktop notification servers render a subset of HTML, and Qt's own balloon shows text
    that looks like HTML as HTML; escaping would show "&lt;" where neither does. Angle brackets
    become look-alike quotation marks instead: nothing can form a tag, everything stays readable.
    """
    return first_line(text, limit).replace("<", "‹").replace(">", "›")
