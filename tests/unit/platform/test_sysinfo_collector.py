"""Collecting system info: only what policy allows, never past the deadline, never raising."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from supporttray.core.sysinfo import MAX_LOCAL_VALUE_CHARS, UNAVAILABLE
from supporttray.platform.sysinfo_collector import SysinfoCollector
from supporttray.platform.sysinfo_sources import (
    SourceUnavailable,
)
from tests.helpers import FakeClock


def fixed(value: str) -> Callable[[], str]:
    return lambda: value


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown, so a deliberately stuck source thread ends with its test."""
    event = threading.Event()
    yield event
    event.set()


def collector(fields: list[str], **sources: Callable[[], str]) -> SysinfoCollector:
    return SysinfoCollector(
        fields, sources={k.replace("__", "."): v for k, v in sources.items()},
        app_version="9.9", clock=FakeClock(),
    )


def test_collection_returns_exactly_the_policy_fields_in_policy_order() -> None:
    # Given a policy that allows three fields, in its own order
    fields = ["tz", "os.name", "app.version"]
    # When they are collected
    snapshot = collector(fields, tz=fixed("UTC"), os__name=fixed("Debian 12")).collect()
    # Then exactly those come back, in that order
    assert snapshot.as_pairs() == (("tz", "UTC"), ("os.name", "Debian 12"), ("app.version", "9.9"))
    assert snapshot.taken_at == FakeClock().now


def test_a_field_the_policy_excludes_is_never_even_asked_for() -> None:
    # Given a source for user.name and connection details, neither allowed by the policy
    called: list[str] = []

    def user() -> str:
        called.append("user.name")
        return "bob"

    def connection() -> tuple[str, str]:
        called.append("connection")
        return ("example.org", "TLSv1.3")

    subject = SysinfoCollector(
        ["os.name"], sources={"user.name": user, "os.name": fixed("Debian 12")},
        app_version="9.9", connection=connection,
    )
    # When the allowed fields are collected
    snapshot = subject.collect()
    # Then the excluded sources never ran
    assert snapshot.as_pairs() == (("os.name", "Debian 12"),)
    assert called == []


def test_a_slow_source_is_unavailable_and_delays_nothing(release: threading.Event) -> None:
    # Given one source that would take 5 s and two quick ones
    def slow() -> str:
        release.wait(5)
        return "too late"

    subject = collector(["os.name", "cpu", "tz"], os__name=fixed("Debian 12"), cpu=slow,
                        tz=fixed("UTC"))
    # When collecting
    started = time.perf_counter()
    snapshot = subject.collect()
    elapsed = time.perf_counter() - started
    # Then the slow one is "unavailable", the others are there, and it all took ~the deadline
    assert snapshot.as_dict() == {"os.name": "Debian 12", "cpu": UNAVAILABLE, "tz": "UTC"}
    assert elapsed < 0.5, f"collection took {elapsed * 1e3:.0f} ms"


def test_a_failing_source_is_unavailable_and_logged_not_raised(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> str:
        raise OSError("disk on fire")

    with caplog.at_level(logging.WARNING, logger="supporttray.sysinfo"):
        snapshot = collector(["disk.free", "tz"], disk__free=broken, tz=fixed("UTC")).collect()

    assert snapshot.as_dict() == {"disk.free": UNAVAILABLE, "tz": "UTC"}
    assert "disk.free failed" in caplog.text and "disk on fire" in caplog.text


def test_a_source_with_nothing_to_say_here_is_unavailable_without_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def no_dmi() -> str:
        raise SourceUnavailable("no DMI table")

    with caplog.at_level(logging.WARNING, logger="supporttray.sysinfo"):
        snapshot = collector(["hw.model"], hw__model=no_dmi).collect()

    assert snapshot.get("hw.model") == UNAVAILABLE
    assert caplog.records == []


def test_a_source_still_stuck_from_last_time_is_not_started_again(
    release: threading.Event,
) -> None:
    # Given a source that hangs
    calls = 0

    def hangs() -> str:
        nonlocal calls
        calls += 1
        release.wait(5)
        return "late"

    subject = collector(["cpu"], cpu=hangs)
    # When collecting twice while it still hangs
    subject.collect()
    second = subject.collect()
    # Then it was started once (one stuck thread, not one per collection)
    assert calls == 1
    assert second.get("cpu") == UNAVAILABLE


def test_overlapping_collections_share_one_call_of_each_source() -> None:
    # Given a source that takes 100 ms
    calls = 0

    def slowish() -> str:
        nonlocal calls
        calls += 1
        time.sleep(0.1)
        return "Debian 12"

    subject = collector(["os.name"], os__name=slowish)
    results: list[str | None] = []
    # When two collections overlap (Ask and "Send system info again" at once)
    threads = [threading.Thread(target=lambda: results.append(subject.collect().get("os.name")))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then both get the value from a single call
    assert results == ["Debian 12", "Debian 12"]
    assert calls == 1


def test_source_values_leave_as_one_short_clean_line() -> None:
    snapshot = collector(
        ["cpu", "tz", "locale", "uptime"],
        cpu=fixed("Intel\n  Core\x00 i7\u202e"),
        tz=fixed("x" * 100_000),
        locale=fixed("   "),
        uptime=lambda: 42,  # type: ignore[arg-type,return-value]  # a sloppy source
    ).collect()
    assert snapshot.get("cpu") == "Intel   Core i7"
    tz = snapshot.get("tz") or ""
    assert len(tz) == MAX_LOCAL_VALUE_CHARS and tz.endswith("…")
    assert snapshot.get("locale") == UNAVAILABLE
    assert snapshot.get("uptime") == "42"


def test_connection_details_come_from_the_session_or_read_unavailable() -> None:
    fields = ["conn.server", "conn.tls"]
    online = SysinfoCollector(fields, app_version="1", connection=lambda: ("xmpp.example.org",
                                                                          "TLSv1.3"))
    offline = SysinfoCollector(fields, app_version="1", connection=None)

    assert online.collect().as_pairs() == (("conn.server", "xmpp.example.org"),
                                           ("conn.tls", "TLSv1.3"))
    assert offline.collect().as_pairs() == (("conn.server", UNAVAILABLE),
                                            ("conn.tls", UNAVAILABLE))


def test_a_field_without_any_source_is_unavailable() -> None:
    assert collector(["gpu.model"]).collect().as_pairs() == (("gpu.model", UNAVAILABLE),)


@pytest.mark.asyncio
async def test_collect_async_runs_off_the_loop_thread_and_the_loop_keeps_running() -> None:
    # Given a source that takes 150 ms and records where it runs
    loop_thread = threading.get_ident()
    ran_on: list[int] = []

    def slowish() -> str:
        ran_on.append(threading.get_ident())
        time.sleep(0.15)
        return "Debian 12"

    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.create_task(ticker())
    # When collecting asynchronously
    snapshot = await collector(["os.name"], os__name=slowish).collect_async()
    ticking.cancel()
    # Then the work ran on another thread and the loop went on ticking meanwhile
    assert snapshot.get("os.name") == "Debian 12"
    assert ran_on and ran_on[0] != loop_thread
    assert ticks >= 5, f"the loop ticked only {ticks} times in 150 ms"


def test_a_hung_source_does_not_keep_the_program_from_exiting() -> None:
    # Given a program whose source hangs far longer than the test waits
    code = textwrap.dedent(
        """
        import time
        from supporttray.platform.sysinfo_collector import SysinfoCollector
        c = SysinfoCollector(["cpu"], sources={"cpu": lambda: time.sleep(60) or "x"},
                             app_version="1")
        print(c.collect().get("cpu"))
        """
    )
    # When it collects and ends
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=20)
    # Then it exits at once with the field reported unavailable
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == UNAVAILABLE


def test_importing_the_collector_loads_no_psutil() -> None:
    code = ("import sys, supporttray.core.sysinfo, supporttray.platform.sysinfo_collector; "
            "print(' '.join(m for m in ('psutil', 'asyncio') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == ""
