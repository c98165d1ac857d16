"""Full-text search over the history: messages and staff notes, with a snippet around each hit.

Order: newest first. Hits are what a person looks for when they remember a few words of a
recent answer ("last month's fix"), and newest-first is cheap at any size: FTS5 returns
matches in its own storage order, so the `offset + limit` newest messages are read without
ranking or sorting every match (bm25 would score all 100,000 matches of a common word). A
message that arrived late from offline storage counts as new, like `HistoryStore.search`.
Notes (few) are merged in by their time.

Highlighting never puts markup into text: a snippet is plain text and `spans` says which
character ranges of it matched, so a hostile body stays plain text wherever it is shown.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from supporttray.core.history_schema import from_micros, to_micros
from supporttray.core.jid import bare_jid
from supporttray.core.text import ELLIPSIS

# More words than this in a search are noise (and a pasted 10 kB log must stay cheap).
MAX_SEARCH_WORDS: Final = 32
# A snippet: about this many characters, the first hit this far from its start.
SNIPPET_CHARS: Final = 160
SNIPPET_LEAD: Final = 50
# Highlighting reads this much of a body: a 1 MB pasted log costs no more than a page (a hit
# further in shows the body's start, unhighlighted).
HIGHLIGHT_SCAN_CHARS: Final = 20_000

# A word as FTS5's unicode61 tokenizer sees it: letters and digits (the underscore separates).
_TOKEN: Final = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchHit:
    """One message or note that has every word searched for.

    `message_id` is set for a message (open it with `around`), `note_id` for a note. `from_`
    is who wrote it: the peer, the account passed as `me` for our own messages ("" when not
    given), or a note's author. `spans` are (start, end) character ranges in `snippet`.
    """

    peer: str
    thread: str | None
    at: datetime
    message_id: str | None
    note_id: int | None
    from_: str
    snippet: str
    spans: tuple[tuple[int, int], ...]


def fts_query(text: str) -> str | None:
    """Plain words typed by a user as an FTS5 query: each word a quoted prefix phrase, all
    required. None when there is nothing to search for. No FTS syntax gets through."""
    words = _query_words(text)
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


def find(
    db: sqlite3.Connection, query: str, *, peer: str | None, since: datetime | None,
    limit: int, offset: int, me: str,
) -> list[SearchHit]:
    """Messages and notes that have every word of `query`, newest first (module docstring)."""
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    match = fts_query(query)
    if match is None or limit == 0:
        return []
    wanted = offset + limit
    where = ""
    params: list[object] = [match]
    if peer is not None:
        where += " AND +r.peer = ?"  # `+`: filter the matches, do not walk the peer's index
        params.append(bare_jid(peer))
    if since is not None:
        where += " AND r.ts_us >= ?"
        params.append(to_micros(since))
    messages = db.execute(
        "SELECT r.peer, r.thread, r.ts_us, r.id, NULL, r.direction, r.body "
        "FROM message_text t JOIN message r ON r.seq = t.rowid "
        f"WHERE message_text MATCH ?{where} ORDER BY t.rowid DESC LIMIT ?",
        (*params, wanted),
    ).fetchall()
    notes = db.execute(
        "SELECT r.peer, r.thread, r.ts_us, NULL, r.id, r.author, r.body "
        "FROM note_text t JOIN note r ON r.id = t.rowid "
        f"WHERE note_text MATCH ?{where} ORDER BY r.ts_us DESC LIMIT ?",
        (*params, wanted),
    ).fetchall()
    rows = sorted(messages + notes, key=lambda row: -int(row[2]))[offset:wanted]
    terms = _terms(query)
    hits = []
    for who, thread, ts_us, message_id, note_id, side, body in rows:
        # A note's `side` column is its author; a message's, its direction.
        author = str(side) if note_id is not None else (str(who) if side == "in" else me)
        text, spans = snippet(str(body), terms)
        hits.append(SearchHit(
            peer=str(who), thread=None if thread is None else str(thread),
            at=from_micros(int(ts_us)), message_id=None if message_id is None else str(message_id),
            note_id=None if note_id is None else int(note_id), from_=author,
            snippet=text, spans=spans,
        ))
    return hits


def snippet(
    body: str, terms: tuple[tuple[str, bool], ...], *, width: int = SNIPPET_CHARS,
    lead: int = SNIPPET_LEAD,
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """`body` on one line around its first matching word, cut with "…", and the character
    ranges of the matching words in it. `terms` are (folded word, matches as a prefix)."""
    text = " ".join(body[:HIGHLIGHT_SCAN_CHARS].split())
    found = [
        (m.start(), m.end()) for m in _TOKEN.finditer(text)
        if _matches(_fold(m.group()), terms)
    ]
    first = found[0][0] if found else 0
    start = max(0, first - lead)
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space != -1 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", max(first, start + 1), end)
        end = space if space > first else end
    head = ELLIPSIS if start > 0 else ""
    tail = ELLIPSIS if end < len(text) or len(body) > HIGHLIGHT_SCAN_CHARS else ""
    shift = len(head) - start
    spans = tuple((a + shift, b + shift) for a, b in found if a >= start and b <= end)
    return head + text[start:end] + tail, spans


def _terms(query: str) -> tuple[tuple[str, bool], ...]:
    """What highlights: each typed word's tokens, the last one as a prefix (as FTS5 matches
    the phrase `"e-mail"*`: "e" exactly, then "mail" as a prefix)."""
    out: list[tuple[str, bool]] = []
    for word in _query_words(query):
        tokens = [_fold(t) for t in _TOKEN.findall(word)]
        out.extend((t, i == len(tokens) - 1) for i, t in enumerate(tokens))
    return tuple(out)


def _matches(token: str, terms: tuple[tuple[str, bool], ...]) -> bool:
    return any(token.startswith(t) if prefix else token == t for t, prefix in terms)


def _query_words(text: str) -> list[str]:
    return [w for w in text.split() if any(c.isalnum() for c in w)][:MAX_SEARCH_WORDS]


def _fold(word: str) -> str:
    """Case and accents away, as the index's `remove_diacritics 2` does: "Müller" ~ "muller"."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
