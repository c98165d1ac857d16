"""What the launcher sets up at start: the on-call runner (staff only) and the saved presence."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from supporttray.app.presence_memory import PresenceMemory, SavedPresence
from supporttray.config.paths import Paths
from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.core.own_presence import OwnPresence, PresenceChoice
from supporttray.core.presence import Availability
from supporttray.launcher import _own_presence
from supporttray.root_services import start_on_call
from tests.helpers import shown, staff_settings


@pytest.mark.asyncio
async def test_at_start_a_bad_value_is_logged_and_leaves_the_hours_off(
    caplog: pytest.LogCaptureFixture,
) -> None:
    own = OwnPresence()
    runner = start_on_call(staff_settings("Mon-Fri 08:00-18"), own, None)
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
    runner = start_on_call(staff_settings(every_day), own, None)
    assert runner is not None
    runner.stop()
    assert shown(own) == (Availability.AVAILABLE, "")
    requester = Settings(Policy(source=None, enforced={"presence.on_call_hours": every_day}))
    assert start_on_call(requester, OwnPresence(), None) is None


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
