"""What the app hears of the network and of sleep, over a real (private) system D-Bus with
stand-ins for NetworkManager and logind (tests/system_bus.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
import pytest_asyncio

from supporttray.core.connection import NetworkChange
from supporttray.platform import network_watch
from supporttray.platform.network_watch import NetworkWatch
from supporttray.platform.system_bus_watch import reach_of
from tests.system_bus import NM_STATE_CONNECTED_GLOBAL, NM_STATE_DISCONNECTED, SystemBus

NM_STATE_CONNECTED_LOCAL = 50


@pytest.fixture
def bus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SystemBus]:
    monkeypatch.setattr(network_watch, "SETTLE_S", 0.05)
    with SystemBus(tmp_path) as bus:
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)
        yield bus


@pytest_asyncio.fixture
async def heard(bus: SystemBus) -> AsyncIterator[list[NetworkChange]]:
    changes: list[NetworkChange] = []
    watch = NetworkWatch(changes.append)
    assert await watch.start() == ("network changes: from networkmanager; "
                                   "wake-ups: from logind")
    yield changes
    await watch.stop()


async def settle(condition: Callable[[], object], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def test_networkmanager_states_map_to_how_far_the_network_reaches() -> None:
    assert [reach_of(s) for s in (0, 10, 20, 30, 40, 50, 60, 70)] == [0, 0, 0, 0, 0, 1, 2, 3]


@pytest.mark.asyncio
async def test_the_network_coming_back_is_told_once_after_it_settles(
        bus: SystemBus, heard: list[NetworkChange]) -> None:
    bus.network(NM_STATE_DISCONNECTED)
    await asyncio.sleep(0.2)
    assert heard == []  # going away brings nothing back: the back-off handles it
    # local, then the internet, within the settling pause: one reconnect, not two
    bus.network(NM_STATE_CONNECTED_LOCAL)
    bus.network(NM_STATE_CONNECTED_GLOBAL)
    await settle(lambda: heard)
    await asyncio.sleep(0.2)
    assert heard == [NetworkChange.REACHABLE]


@pytest.mark.asyncio
async def test_a_wake_up_and_a_move_to_another_network_are_told(
        bus: SystemBus, heard: list[NetworkChange]) -> None:
    bus.woke()
    await settle(lambda: heard)
    bus.moved()
    await settle(lambda: len(heard) == 2)
    assert heard == [NetworkChange.WOKE, NetworkChange.CHANGED]


@pytest.mark.asyncio
async def test_a_stopped_watch_hears_nothing_more(bus: SystemBus) -> None:
    changes: list[NetworkChange] = []
    watch = NetworkWatch(changes.append)
    await watch.start()
    await watch.stop()
    bus.woke()
    await asyncio.sleep(0.3)
    assert changes == []


@pytest.mark.asyncio
async def test_without_networkmanager_the_platform_source_of_qt_is_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: object) -> None:
    with SystemBus(tmp_path, network_manager=False) as bus:
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)
        watched = await NetworkWatch.describe()
    network, sleep = watched.split("; ")
    assert sleep == "wake-ups: from logind"
    assert network != "network changes: from networkmanager"
    assert network.startswith("network changes: ")


@pytest.mark.asyncio
async def test_without_a_system_bus_wake_ups_show_as_network_changes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: object) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    watched = await NetworkWatch.describe()
    assert watched.endswith("; wake-ups: no system bus (logind), seen as network changes")
