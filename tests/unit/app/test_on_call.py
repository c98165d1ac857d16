"""On-call hours in the running app: the runner's one timer sets Available and Away at the
boundaries (with an injected clock that the test moves, jumps included), a manual choice wins
until the next boundary, auto-away goes back to the schedule's Available, and a bad value is
one sentence naming the key and where it was set (log at start, doctor)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from supporttray.app.on_call import OnCallRunner
from supporttray.app.service import SupportService
from supporttray.config.credentials import CredentialStore
from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.core.auto_away import AutoAway
from supporttray.core.on_call import OnCallPresence, parse_on_call_hours
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability
from supporttray.service_settings import support_config
from tests.helpers import FakeClock, shown, staff_settings

OFFICE = "Mon-Fri 08:00-18:00"


OFF_DUTY = "Off duty (on call Mon-Fri 08:00-18:00)"


TICK = 0.02  # the runner's longest wait in these tests: it looks again this often


def tuesday(hh: int, mm: int = 0, ss: float = 0) -> datetime:
    return datetime(2026, 3, 3, hh, mm, tzinfo=UTC) + timedelta(seconds=ss)


def runner_at(start: datetime) -> tuple[OwnPresence, OnCallRunner, FakeClock]:
    clock = FakeClock(start)
    own = OwnPresence()
    hours = parse_on_call_hours(OFFICE)
    assert hours is not None
    rule = OnCallPresence(hours, own, clock=clock, zone=UTC)
    return own, OnCallRunner(rule, max_wait=TICK, min_wait=0.001), clock


async def until() -> None:
    """Give the runner's timer a few turns (it looks every TICK, whatever the fake clock says)."""
    await asyncio.sleep(TICK * 4)


@pytest.mark.asyncio
async def test_the_timer_sets_available_at_the_start_and_away_at_the_end() -> None:
    # given the runner started at 07:59:59.99 on a Tuesday: off duty
    own, runner, clock = runner_at(tuesday(7, 59, 59.99))
    runner.start()
    try:
        assert shown(own) == (Availability.AWAY, OFF_DUTY)
        # when 08:00 comes, then Available with no message
        clock.now = tuesday(8)
        await until()
        assert shown(own) == (Availability.AVAILABLE, "")
        # when the clock jumps to 18:30 (the laptop slept through 18:00), then Away, off duty
        clock.now = tuesday(18, 30)
        await until()
        assert shown(own) == (Availability.AWAY, OFF_DUTY)
    finally:
        runner.stop()


@pytest.mark.asyncio
async def test_a_manual_choice_wins_until_the_next_boundary() -> None:
    own, runner, clock = runner_at(tuesday(9))
    runner.start()
    try:
        # when the person chooses Busy at 10:00, and the timer looks several times
        clock.now = tuesday(10)
        own.set(Availability.BUSY, "In a meeting until 3")
        clock.now = tuesday(17, 59)
        await until()
        # then Busy stays
        assert shown(own) == (Availability.BUSY, "In a meeting until 3")
        # until 18:00, when the schedule sets Away
        clock.now = tuesday(18)
        await until()
        assert shown(own) == (Availability.AWAY, OFF_DUTY)
    finally:
        runner.stop()


@pytest.mark.asyncio
async def test_idle_during_on_call_goes_away_and_activity_brings_back_available() -> None:
    own, runner, clock = runner_at(tuesday(7, 59, 59.99))
    runner.start()
    auto = AutoAway(own, away_minutes=5, xa_minutes=20, clock=clock)
    try:
        clock.now = tuesday(8)
        await until()
        # when the desktop is idle for 6 minutes during on-call hours
        clock.now = tuesday(8, 6)
        auto.update(6 * 60)
        await until()
        assert own.current.show is Availability.AWAY and own.current.idle_since is not None
        # and then the person touches the keyboard
        auto.update(1)
        await until()
        # then they are Available again, and the schedule's timer left it so
        assert shown(own) == (Availability.AVAILABLE, "")
        assert own.current.idle_since is None
    finally:
        runner.stop()


@pytest.mark.asyncio
async def test_stop_cancels_the_timer() -> None:
    own, runner, clock = runner_at(tuesday(17, 59))
    runner.start()
    runner.stop()
    clock.now = tuesday(18)
    await until()
    assert shown(own) == (Availability.AVAILABLE, "")


@pytest.mark.asyncio
async def test_status_json_has_the_hours_and_whether_on_call_now() -> None:
    own, runner, _clock = runner_at(tuesday(10))
    runner.start()
    try:
        service = SupportService(support_config(staff_settings(OFFICE)), CredentialStore(),
                                 own_presence=own, on_call=runner)
        assert service.status()["on_call"] == {"hours": OFFICE, "now": True}
        assert SupportService(support_config(Settings(Policy.empty())), CredentialStore()).status()[
            "on_call"] == {"hours": "", "now": False}
    finally:
        runner.stop()
