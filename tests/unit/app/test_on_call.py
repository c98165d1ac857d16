"""On-call hours in the running app: the runner's one timer sets Available and Away at the
boundaries (with an injected clock that the test moves, jumps included), a manual choice wins
until the next boundary, auto-away goes back to the schedule's Available, and a bad value is
one sentence naming the key and where it was set (log at start, doctor)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from supporttray.app.on_call import OnCallRunner
from supporttray.app.presence_memory import PresenceMemory, SavedPresence
from supporttray.app.service import SupportService
from supporttray.config.credentials import CredentialStore
from supporttray.config.paths import Paths
from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.core.auto_away import AutoAway
from supporttray.core.clock import FakeClock
from supporttray.core.on_call import OnCallPresence, parse_on_call_hours
from supporttray.core.own_presence import OwnPresence, PresenceChoice
from supporttray.core.presence import Availability
from supporttray.doctor import _on_call_finding
from supporttray.launcher import _own_presence, _start_on_call
from supporttray.service_settings import OnCallSettingError, on_call_hours, support_config

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


def shown(own: OwnPresence) -> tuple[Availability, str]:
    return own.current.show, own.current.status


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


# -- the setting -------------------------------------------------------------------------------


def staff_settings(hours: str, *, source: Path | None = None, enforced: bool = True) -> Settings:
    values: dict[str, object] = {"support.mode": "staff", "presence.on_call_hours": hours}
    policy = Policy(source=source, enforced=values) if enforced else Policy(source=source,
                                                                            defaults=values)
    return Settings(policy)


def test_a_bad_value_names_the_key_the_policy_file_and_what_is_wrong() -> None:
    settings = staff_settings("Mno-Fri 08:00-18:00", source=Path("/etc/supporttray/policy.toml"))
    with pytest.raises(OnCallSettingError) as caught:
        on_call_hours(settings)
    assert str(caught.value) == (
        "presence.on_call_hours (machine policy /etc/supporttray/policy.toml, [enforced]): "
        '"Mno" is not a day; use Mon, Tue, Wed, Thu, Fri, Sat or Sun.')


def test_a_bad_value_in_the_users_settings_file_names_that_file(tmp_path: Path) -> None:
    settings = Settings(Policy.empty(), {"presence.on_call_hours": "Mon 9-17"},
                        path=tmp_path / "settings.toml")
    with pytest.raises(OnCallSettingError) as caught:
        on_call_hours(settings)
    assert str(caught.value).startswith(
        f"presence.on_call_hours (settings file {tmp_path / 'settings.toml'}): \"9-17\" is not")


@pytest.mark.asyncio
async def test_at_start_a_bad_value_is_logged_and_leaves_the_hours_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    own = OwnPresence()
    runner = _start_on_call(staff_settings("Mon-Fri 08:00-18"), own, None)
    assert runner is None
    assert shown(own) == (Availability.AVAILABLE, "")
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage().startswith("presence.on_call_hours (machine policy <policy>, "
                                          '[enforced]): "08:00-18" is not a time range')
    assert "On-call hours are off until it is fixed" in record.getMessage()
    assert record.exc_info is None


@pytest.mark.asyncio
async def test_at_start_staff_follow_the_hours_and_requesters_do_not() -> None:
    every_day = "Mon-Sun 00:00-24:00"  # on call whenever the test runs
    own = OwnPresence(PresenceChoice(Availability.AWAY, "Off duty (on call Mon-Sun 00:00-24:00)"))
    runner = _start_on_call(staff_settings(every_day), own, None)
    assert runner is not None
    runner.stop()
    assert shown(own) == (Availability.AVAILABLE, "")
    requester = Settings(Policy(source=None, enforced={"presence.on_call_hours": every_day}))
    assert _start_on_call(requester, OwnPresence(), None) is None


def test_doctor_says_the_hours_and_whether_they_hold_now() -> None:
    # "now" in the machine's local time, which is what doctor reads the hours in
    tuesday_10 = datetime(2026, 3, 3, 10, 0).astimezone()
    saturday = datetime(2026, 3, 7, 12, 0).astimezone()
    assert _on_call_finding(staff_settings(OFFICE), tuesday_10).sentence == (
        "Mon-Fri 08:00-18:00 (on call now, until 18:00)")
    assert _on_call_finding(staff_settings(OFFICE), saturday).sentence == (
        "Mon-Fri 08:00-18:00 (off duty now, on call from Mon 08:00)")
    off = _on_call_finding(Settings(Policy.empty()))
    assert (off.level, off.topic, off.sentence) == ("OK", "on-call", "off")
    bad = _on_call_finding(staff_settings("Mon-Fri"))
    assert bad.level == "FAIL" and bad.sentence.startswith("presence.on_call_hours (machine")


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


# -- the saved presence at start ---------------------------------------------------------------


def test_staff_start_with_the_saved_presence_and_requesters_do_not(tmp_path: Path) -> None:
    paths = Paths(tmp_path / "config", tmp_path / "data", tmp_path / "logs", tmp_path / "run")
    chosen_at = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)
    PresenceMemory(paths.presence_file).save(SavedPresence(
        PresenceChoice(Availability.BUSY, "In a meeting until 3"), ("Lunch",), chosen_at))

    own, when = _own_presence(paths, staff_settings(""))
    assert shown(own) == (Availability.BUSY, "In a meeting until 3")
    assert own.recent_messages == ["In a meeting until 3", "Lunch"]
    assert when == chosen_at
    # and the next choice is saved
    own.set(Availability.AWAY, "Back at 4")
    reloaded = PresenceMemory(paths.presence_file).load()
    assert reloaded is not None and reloaded.choice.status == "Back at 4"

    requester, when = _own_presence(paths, Settings(Policy.empty()))
    assert (shown(requester), when) == ((Availability.AVAILABLE, ""), None)
