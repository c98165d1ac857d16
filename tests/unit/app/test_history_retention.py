"""`history.retention_days` in the running app: old messages (and their search rows) go at
start and once a day, by one timer, with the cutoff taken from the clock at each run."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from supporttray.app.history_retention import HistoryRetention
from supporttray.core.history import MEMORY, HistoryStore
from tests.helpers import T0, FakeClock, incoming


def history_with(path: Path | str, *ages_in_days: float) -> HistoryStore:
    store = HistoryStore(path)
    for age in ages_in_days:
        store.add(incoming(f"aged {age} days", at=T0 - timedelta(days=age)))
    return store


def bodies(store: HistoryStore) -> list[str]:
    return [m.body for m in store.conversation("alice@example.org")]


@pytest.mark.asyncio
async def test_a_history_file_loses_messages_older_than_the_retention_and_their_search_rows(
    tmp_path: Path,
) -> None:
    # Given a history file with messages 40, 31, 29 and 1 days old
    store = history_with(tmp_path / "history.sqlite3", 40, 31, 29, 1)
    retention = HistoryRetention(store, 30, clock=FakeClock(T0))
    # When the retention of 30 days runs
    deleted = await retention.purge_now()
    # Then the two older ones are gone, from the messages and from search
    assert deleted == 2
    assert bodies(store) == ["aged 29 days", "aged 1 days"]
    assert sorted(m.body for m in store.search("aged")) == ["aged 1 days", "aged 29 days"]
    assert store.search("40") == []
    store.close()


@pytest.mark.asyncio
async def test_the_purge_runs_at_start_and_again_each_day_with_a_fresh_cutoff() -> None:
    # Given an in-memory history and a retention of 30 days that runs "daily" every 50 ms
    clock = FakeClock(T0)
    store = history_with(MEMORY, 31, 20)
    retention = HistoryRetention(store, 30, clock=clock, every=0.05)
    # When it starts, the 31-day-old message goes at once
    retention.start()
    await asyncio.sleep(0.01)
    assert bodies(store) == ["aged 20 days"]
    # And when eleven days pass, the next daily run deletes the one that is now 31 days old
    clock.advance(11 * 86_400)
    await asyncio.sleep(0.08)
    retention.stop()
    assert bodies(store) == []
    store.close()


@pytest.mark.asyncio
async def test_stop_leaves_no_timer_behind() -> None:
    store = history_with(MEMORY)
    retention = HistoryRetention(store, 1, every=0.01)
    retention.start()
    retention.stop()
    before = len(asyncio.all_tasks())
    await asyncio.sleep(0.03)
    assert len(asyncio.all_tasks()) <= before
    store.close()


def test_zero_days_is_not_a_retention_but_keep_forever() -> None:
    with pytest.raises(ValueError, match="forever"):
        HistoryRetention(HistoryStore(MEMORY), 0)
