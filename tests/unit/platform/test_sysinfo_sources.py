"""The system-info sources: what each reads on this machine, and how it reads awkward values."""

from __future__ import annotations

import time

import pytest

from supporttray.config.sysinfo_fields import KEYS
from supporttray.core.sysinfo import UNAVAILABLE
from supporttray.platform.sysinfo_collector import INLINE_FIELDS, SysinfoCollector
from supporttray.platform.sysinfo_sources import (
    DEFAULT_SOURCES,
    SourceUnavailable,
    hardware_model,
    human_bytes,
    meaningful,
    parse_linux_default_route,
    parse_linux_default_route6,
)


def test_every_standard_field_has_a_source() -> None:
    assert set(DEFAULT_SOURCES) | set(INLINE_FIELDS) == set(KEYS)


def test_real_sources_describe_this_machine_quickly() -> None:
    # Given the real sources and every standard field
    subject = SysinfoCollector(KEYS, app_version="9.9")
    # When collecting cold, then warm
    started = time.perf_counter()
    subject.collect()
    first_ms = (time.perf_counter() - started) * 1e3
    warm = []
    for _ in range(5):
        started = time.perf_counter()
        snapshot = subject.collect()
        warm.append((time.perf_counter() - started) * 1e3)
    warm_ms = sorted(warm)[len(warm) // 2]
    print(f"\nsysinfo collection: first {first_ms:.1f} ms, warm (median of 5) {warm_ms:.1f} ms")
    # Then the essentials are known and a warm collection is well inside the deadline
    for key in ("os.name", "host.name", "cpu", "mem.total", "local_time", "tz"):
        value = snapshot.get(key)
        assert value and value != UNAVAILABLE, f"{key}: {value!r}"
    assert [i.key for i in snapshot.items] == list(KEYS)
    assert warm_ms < 200, f"first {first_ms:.1f} ms, warm {warm_ms:.1f} ms"


def test_each_real_source_answers_without_raising_anything_unexpected() -> None:
    # Every source either answers in text or says it has nothing here; none blows up
    for key, source in DEFAULT_SOURCES.items():
        try:
            value = source()
        except SourceUnavailable:
            continue
        assert isinstance(value, str) and value.strip(), key


def test_sizes_read_in_binary_units() -> None:
    assert human_bytes(512) == "512 B"
    assert human_bytes(1536) == "1.5 KiB"
    assert human_bytes(int(15.5 * 2**30)) == "15.5 GiB"
    assert human_bytes(3 * 2**50) == "3072.0 TiB"


@pytest.mark.parametrize(
    ("name", "version", "model"),
    [
        ("20S0000XX", "ThinkPad T14 Gen 1", "ThinkPad T14 Gen 1 (20S0000XX)"),  # Lenovo
        ("Latitude 7420", "", "Latitude 7420"),  # Dell
        ("HP EliteBook 840 G8 Notebook PC", "SBKPF", "HP EliteBook 840 G8 Notebook PC"),
        ("MacBookPro11,1", "1.0", "MacBookPro11,1"),
        ("System Product Name", "System Version", ""),  # an unbranded board
        ("To be filled by O.E.M.", "To be filled by O.E.M.", ""),
    ],
)
def test_the_hardware_model_is_what_people_call_the_machine(
    name: str, version: str, model: str
) -> None:
    assert hardware_model(name, version) == model


def test_firmware_placeholders_mean_nothing() -> None:
    assert meaningful("  Default string ") == ""
    assert meaningful(" LENOVO ") == "LENOVO"


LINUX_ROUTES = (
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "wlan0\t00000000\t0101A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n"
    "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    "eth0\t000200C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n"
)


def test_the_default_route_is_the_one_with_the_lowest_metric() -> None:
    assert parse_linux_default_route(LINUX_ROUTES) == ("eth0", "192.0.2.1")
    assert parse_linux_default_route(LINUX_ROUTES.splitlines()[0]) is None


def test_the_ipv6_default_route_skips_the_kernels_unreachable_route() -> None:
    table = (
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
        "00000000000000000000000000000000 ffffffff 00000001 00000000 00200200 lo\n"
        "00000000000000000000000000000000 00 00000000000000000000000000000000 00 "
        "fe800000000000000000000000000001 00000400 00000001 00000000 00000003 wlan0\n"
    )
    assert parse_linux_default_route6(table) == ("wlan0", "fe80::1")
