"""Figure 6, history: HistoryStore search over a big history, and opening time against size.

Histories of 10k, 100k and 1M messages (smoke: 1k and 10k) are generated once, with the
product's own schema (HistoryStore creates the file; rows go in through the same triggers that
keep the FTS index), and cached under bench/results/cache (git-ignored) by size, schema version
and generator version. They look like a staff member's years of support chat: 400 peers,
questions and answers of 4-30 words drawn Zipf-like from a support vocabulary, a few words rare.

Search is HistoryStore.search, as the history window will call it on a reader connection:
common words, rare words, prefixes, two words, no hit, and one peer only; p50/p99 over them all.
The history window's own calls are measured the same way: conversations() (its first page, the
50 newest conversations, and the next page) and find() (hits with highlighted snippets, the same
queries); and the window itself, offscreen in a fresh process: open -> first page drawn.
Export: one 10,000-message conversation (system info on every request's first message)
gathered and rendered as HTML and as Markdown, and written (0600, atomically).
Opening is HistoryStore(path) (what start-up does) plus outbox() (what going online does).
App start: `supporttray run` (as the cold-start figure launches it, against the run's Prosody)
with an empty history and with the largest one copied into its profile: launch -> tray shown
and -> online, which must not grow with the history.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, CHILDREN, Row, Run, median, percentile
from supporttray.app.history_query import HistoryQuery, export_history
from supporttray.core.history import SCHEMA_VERSION, HistoryStore

FIGURE = "history"
CACHE = BENCH_DIR / "results" / "cache"
GENERATOR_VERSION = 1
PEERS = 400
BATCH = 20_000
EXPORT_MESSAGES = 10_000
# Every request's first message in the export's conversation carries this system info.
EXPORT_SYSINFO = json.dumps([
    ["os.name", "Windows 11 Pro"], ["os.version", "23H2"], ["host.name", "LAPTOP-4411"],
    ["hw.model", "ThinkPad T14 Gen 3"], ["cpu", "12th Gen Intel Core i7-1260P"],
    ["mem.total", "32 GB"], ["net.addresses", "10.20.30.40, fe80::1"], ["tz", "Europe/Berlin"],
])


def words_of(text: str) -> list[str]:
    return text.split()


SUPPORT_WORDS = words_of(
    "printer vpn password outlook email laptop wifi network screen monitor keyboard mouse "
    "teams meeting calendar update restart login account locked reset disk space backup "
    "office excel word powerpoint license install driver bluetooth headset camera microphone "
    "slow crash error message blue freeze battery charger docking station ticket server "
    "share folder permission access token certificate browser chrome firefox cache cookies "
    "phone mobile sync onedrive sharepoint drive mapped scanner toner paper jam tray "
    "remote desktop citrix firewall proxy dns ip address cable port hdmi usb adapter"
)
FILLER = words_of(
    "the a to is it i you my we can not and on in for with this that have please "
    "thanks hi hello again now still when after before what how why could would just "
    "yes no ok sure try again works doesnt any other today yesterday morning afternoon"
)


def vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Filler and support words first (common), then 5,000 made-up rare words (names, codes)."""
    syllables = ["ka", "lo", "mi", "ze", "tor", "bin", "qua", "rex", "sol", "vy", "dre", "xi"]
    rare = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) + str(rng.randint(0, 99))
            for _ in range(5200)}
    words = FILLER + SUPPORT_WORDS + sorted(rare)[:5000]
    weights = [1.0 / (rank + 1) ** 1.05 for rank in range(len(words))]
    return words, weights


def generate(path: Path, count: int, *, peers_count: int = PEERS,
             sysinfo: str | None = None) -> None:
    """A history file of `count` messages made by the product's schema and triggers; with
    `sysinfo`, every thread's first message carries it."""
    rng = random.Random(count)
    words, weights = vocabulary(rng)
    cumulative = list(itertools.accumulate(weights))  # choices() is 25x faster given these
    HistoryStore(path).close()  # the schema, exactly as the app creates it
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = OFF")  # generating only; the app keeps NORMAL
        start = datetime(2023, 1, 1, tzinfo=UTC)
        step_us = int(timedelta(days=3 * 365).total_seconds() * 1e6) // max(count, 1)
        peers = [f"person{i:03d}@example.org" for i in range(peers_count)]
        sql = ("INSERT INTO message (id, peer, direction, delivery, ts_us, thread, body, sysinfo)"
               " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        epoch_us = int(start.timestamp() * 1e6)
        for first in range(0, count, BATCH):
            rows = []
            for seq in range(first, min(count, first + BATCH)):
                n = rng.randint(4, 30)
                body = " ".join(rng.choices(words, cum_weights=cumulative, k=n))
                incoming = seq % 2 == 0
                rows.append((f"m{seq:08d}", peers[(seq // 6) % peers_count],
                             "in" if incoming else "out",
                             "received" if incoming else "delivered",
                             epoch_us + seq * step_us, f"t{seq // 6:07d}", body,
                             sysinfo if seq % 6 == 0 else None))
            db.execute("BEGIN")
            db.executemany(sql, rows)
            db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


def cached(count: int, *, kind: str = "history", peers_count: int = PEERS,
           sysinfo: str | None = None) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{kind}-{count}-schema{SCHEMA_VERSION}-gen{GENERATOR_VERSION}.sqlite3"
    if not path.exists():
        # Our own name until complete: two runs at once must not write one file.
        partial = path.with_suffix(f".partial-{os.getpid()}")
        try:
            generate(partial, count, peers_count=peers_count, sysinfo=sysinfo)
            os.replace(partial, path)
        finally:
            for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
                leftover.unlink(missing_ok=True)
    return path


def queries(rng: random.Random) -> list[tuple[str, str | None]]:
    """(text, peer) pairs: what people type into a history search box."""
    words, _ = vocabulary(random.Random(0))
    rare = words[len(FILLER) + len(SUPPORT_WORDS):]
    out: list[tuple[str, str | None]] = []
    for word in ("printer", "vpn", "password", "outlook", "the", "please"):
        out.append((word, None))  # common words
    for word in rng.sample(rare, 6):
        out.append((word, None))  # rare words: names, ticket codes
    for prefix in ("prin", "pass", "cert", "blu"):
        out.append((prefix, None))  # while typing
    for pair in ("vpn password", "printer toner", "outlook crash", "teams camera"):
        out.append((pair, None))
    out.append(("zzqx nothing like this", None))  # no hit
    out.append(("printer", "person007@example.org"))  # one conversation
    out.append(("password reset", "person123@example.org"))
    return out


def measure(run: Run) -> list[Row]:
    sizes = [1_000, 10_000] if run.smoke else [10_000, 100_000, 1_000_000]
    rounds = 3 if run.smoke else 10
    rows: list[Row] = []
    opens: dict[int, float] = {}
    generated: list[str] = []
    for size in sizes:
        began = time.perf_counter()
        existed = (CACHE / f"history-{size}-schema{SCHEMA_VERSION}-gen{GENERATOR_VERSION}"
                   ".sqlite3").exists()
        path = cached(size)
        if not existed:
            generated.append(f"{size:,} in {time.perf_counter() - began:.0f} s")
        samples = []
        for _ in range(5):
            t0 = time.perf_counter()
            store = HistoryStore(path)
            store.outbox()
            samples.append(time.perf_counter() - t0)
            store.close()
        opens[size] = median(samples)
    largest = sizes[-1]
    path = cached(largest)
    store = HistoryStore(path)
    reader = store.open_reader()
    try:
        latencies: list[float] = []
        by_kind: dict[str, list[float]] = {}
        hits: dict[str, int] = {}
        batch = queries(random.Random(1))
        for text, peer in batch:  # warm the page cache once: the app has a warm file too
            reader.search(text, peer=peer)
        for _ in range(rounds):
            for text, peer in batch:
                t0 = time.perf_counter()
                found = reader.search(text, peer=peer)
                elapsed = (time.perf_counter() - t0) * 1000
                latencies.append(elapsed)
                key = f"{text}{' @peer' if peer else ''}"
                by_kind.setdefault(key, []).append(elapsed)
                hits[key] = len(found)
        pages, next_pages, finds = window_calls(reader, batch, rounds)
    finally:
        reader.close()
        store.close()
    exports = measure_export(rounds)
    window = measure_window(run, path, rounds)
    starts = measure_start(run, path, 2 if run.smoke else 5)
    worst = sorted(((median(v), k) for k, v in by_kind.items()), reverse=True)[:3]
    size_mb = path.stat().st_size / 1e6
    rows.append(Row(
        FIGURE, f"search p50, {largest:,} messages", percentile(latencies, 50), "ms",
        budget=20.0, samples=[round(v, 3) for v in latencies],
        note=f"{len(batch)} queries x {rounds}; slowest (median ms): "
             + ", ".join(f"'{k}' {v:.1f}" for v, k in worst)
             + f"; file {size_mb:.0f} MB" + (f"; generated {', '.join(generated)}"
                                              if generated else ""),
        detail={"hits": hits, "median_ms": {k: median(v) for k, v in by_kind.items()}},
    ))
    rows.append(Row(FIGURE, f"search p99, {largest:,} messages", percentile(latencies, 99),
                    "ms"))
    rows.append(Row(
        FIGURE, f"history window first page, {largest:,} messages", median(pages), "ms",
        budget=100.0, samples=[round(v, 3) for v in pages],
        note=f"conversations(limit=50) on a reader, median of {len(pages)}; the next page "
             f"(before=) {median(next_pages):.2f} ms",
    ))
    rows.append(Row(
        FIGURE, f"history window: open -> first page shown, {largest:,} messages",
        median(window["opens_ms"]), "ms", budget=100.0,
        samples=[round(v, 1) for v in window["opens_ms"]],
        note=f"a fresh window built, its thread's reader opened, 50 conversations drawn, median "
             f"of {len(window['opens_ms'])}; the first open of the process (loading the "
             f"window's modules) {window['first_ms']:.0f} ms; longest UI-loop gap meanwhile "
             f"{window['longest_gap_ms']:.0f} ms (children/history_window_app.py)",
    ))
    rows.append(Row(FIGURE, f"find p50, {largest:,} messages", percentile(finds, 50), "ms",
                    samples=[round(v, 3) for v in finds],
                    note="find(): hits with snippets and highlight spans, messages and notes, "
                         "same queries as search"))
    rows.append(Row(FIGURE, f"find p99, {largest:,} messages", percentile(finds, 99), "ms"))
    for fmt, took in exports.items():
        rows.append(Row(FIGURE, f"export {EXPORT_MESSAGES:,}-message conversation, {fmt}",
                        median(took), "ms", samples=[round(v, 1) for v in took],
                        note="gather + render + write 0600 atomically (fsync), "
                             f"median of {len(took)}"))
    for event, (empty, full) in starts.items():
        rows.append(Row(
            FIGURE, f"launch -> {event}, {largest:,} messages", median(full), "s",
            baseline=median(empty), baseline_label="same, empty history", budget_ratio=1.25,
            samples=[round(v * 1000, 1) for v in full],
            note=f"median of {len(full)}; empty history {median(empty):.3f} s"))
    for size in sizes:
        rows.append(Row(FIGURE, f"open + outbox, {size:,} messages", opens[size] * 1000, "ms",
                        note="HistoryStore(path) + outbox(), warm page cache, median of 5"))
    return rows


def measure_window(run: Run, path: Path, rounds: int) -> dict[str, Any]:
    """The history window itself, offscreen in a fresh process (children/history_window_app)."""
    done = subprocess.run([run.python, str(CHILDREN / "history_window_app.py"), str(path),
                           str(rounds)], env=run.env, capture_output=True, text=True,
                          timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"history window child failed ({done.returncode}): "
                           f"{done.stderr[-500:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def window_calls(reader: HistoryStore, batch: list[tuple[str, str | None]],
                 rounds: int) -> tuple[list[float], list[float], list[float]]:
    """The history window's calls on a reader: first page, next page, find (ms each)."""
    pages: list[float] = []
    next_pages: list[float] = []
    finds: list[float] = []
    reader.conversations(limit=50)  # warm, as for search
    for _ in range(rounds * 3):
        t0 = time.perf_counter()
        first = reader.conversations(limit=50)
        pages.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        reader.conversations(limit=50, before=first[-1].last_at)
        next_pages.append((time.perf_counter() - t0) * 1000)
    for text, peer in batch:
        reader.find(text, peer=peer)
    for _ in range(rounds):
        for text, peer in batch:
            t0 = time.perf_counter()
            reader.find(text, peer=peer)
            finds.append((time.perf_counter() - t0) * 1000)
    return pages, next_pages, finds


def measure_export(rounds: int) -> dict[str, list[float]]:
    """Export one 10,000-message conversation to HTML and Markdown (ms per format)."""
    path = cached(EXPORT_MESSAGES, kind="conversation", peers_count=1, sysinfo=EXPORT_SYSINFO)
    took: dict[str, list[float]] = {"HTML": [], "Markdown": []}
    store = HistoryStore(path)
    reader = store.open_reader()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
            for _ in range(max(3, rounds // 2)):
                for fmt, suffix in (("HTML", ".html"), ("Markdown", ".md")):
                    target = Path(folder) / f"out{suffix}"
                    t0 = time.perf_counter()
                    written = export_history(reader, HistoryQuery(with_="person000@example.org"),
                                             target, me="dave@example.org")
                    took[fmt].append((time.perf_counter() - t0) * 1000)
                    assert written == EXPORT_MESSAGES, written
    finally:
        reader.close()
        store.close()
    return took


def measure_start(
    run: Run, history: Path, rounds: int,
) -> dict[str, tuple[list[float], list[float]]]:
    """Seconds from launch to tray shown and to online, with an empty history and with a copy
    of `history` in the profile ({event: (empty, full)}). The copy is removed afterwards, so
    the cold-start figure's profile (the same account) starts empty again."""
    from bench.cold_start import launch_app

    profile = run.profile("me", **run.requester_policy())
    data = profile.directory / "data"
    target = data / "history.sqlite3"

    def clear() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)

    def launches() -> tuple[list[float], list[float]]:
        launch_app(run, profile)  # unmeasured: page cache, .pyc files, a migration
        times = [launch_app(run, profile) for _ in range(rounds)]
        return [t[0] for t in times], [t[1] for t in times]

    clear()
    try:
        empty = launches()
        data.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(history, target)
        target.chmod(0o600)
        full = launches()
    finally:
        clear()
    return {"tray shown": (empty[0], full[0]), "online": (empty[1], full[1])}
