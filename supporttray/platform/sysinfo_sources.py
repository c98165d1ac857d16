"""The system-info sources: one OS probe per field (DMI, /proc, the registry, psutil, ...).

psutil, platform, subprocess and winreg are imported inside the sources, never at module
import: the app imports the collector (and so this module) at start-up, and start-up time
matters.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from supporttray.core.durations import compact_duration
from supporttray.core.utc_offsets import utc_offset_of

Source = Callable[[], str]
"""Returns one field's value; blocking is fine (it runs on its own thread)."""

# A source stuck in a system call cannot be killed; this only bounds how long the thread
# of a helper command lingers after the collector has already reported "unavailable".
_COMMAND_TIMEOUT = 2.0
_MAX_INTERFACES = 12


class SourceUnavailable(Exception):
    """A source has nothing to say on this machine (no DMI table, another OS): not a failure."""


# -- formatting -------------------------------------------------------------------------------
def human_bytes(count: float) -> str:
    """1.5 * 2**30 -> "1.5 GiB"."""
    if count < 1024:
        return f"{int(count)} B"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        count /= 1024
        if count < 1024 or unit == "TiB":
            break
    return f"{count:.1f} {unit}"


# Text that firmware vendors leave in DMI fields they did not fill in.
_PLACEHOLDERS = frozenset(
    text.casefold()
    for text in (
        "", "none", "n/a", "not specified", "not applicable", "to be filled by o.e.m.",
        "system manufacturer", "system product name", "system version", "default string",
        "o.e.m.", "oem", "unknown", "0", "1.0", "x.x",
    )
)


def meaningful(text: str) -> str:
    """The text, or "" when it is a firmware placeholder such as "To be filled by O.E.M."."""
    text = " ".join(text.split())
    return "" if text.casefold() in _PLACEHOLDERS else text


def hardware_model(product_name: str, product_version: str) -> str:
    """The model as people call it, from the DMI product name and version.

    Lenovo puts a machine-type code in the name ("20S0000XX") and the model in the version
    ("ThinkPad T14 Gen 1"); others put the model in the name and junk in the version. A code
    without spaces next to a version with spaces is the Lenovo shape.
    """
    name, version = meaningful(product_name), meaningful(product_version)
    if name and version and " " not in name and " " in version:
        return f"{version} ({name})"
    return name or version


def parse_linux_default_route(route_table: str) -> tuple[str, str] | None:
    """(interface, gateway) of the best IPv4 default route in /proc/net/route text, if any."""
    import socket
    import struct

    best: tuple[int, str, str] | None = None
    for line in route_table.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 8:
            continue
        iface, destination, gateway, flags, metric, mask = (
            fields[0], fields[1], fields[2], fields[3], fields[6], fields[7]
        )
        try:
            up = int(flags, 16) & 0x1
            rank = int(metric)
            gateway_ip = socket.inet_ntoa(struct.pack("<I", int(gateway, 16)))
        except (ValueError, struct.error):
            continue
        if destination != "00000000" or mask != "00000000" or not up:
            continue
        if best is None or rank < best[0]:
            best = (rank, iface, gateway_ip)
    return (best[1], best[2]) if best else None


def parse_linux_default_route6(route_table: str) -> tuple[str, str] | None:
    """(interface, gateway) of the best IPv6 default route in /proc/net/ipv6_route text."""
    import ipaddress

    best: tuple[int, str, str] | None = None
    for line in route_table.splitlines():
        fields = line.split()
        if len(fields) < 10 or fields[0] != "0" * 32 or fields[1] != "00":
            continue
        try:
            flags, rank = int(fields[8], 16), int(fields[5], 16)
            gateway = ipaddress.IPv6Address(bytes.fromhex(fields[4]))
        except ValueError:
            continue
        # RTF_UP set and RTF_REJECT (the kernel's "unreachable" default on lo) not set.
        if not flags & 0x1 or flags & 0x200:
            continue
        if best is None or rank < best[0]:
            best = (rank, fields[9], "" if gateway.is_unspecified else str(gateway))
    return (best[1], best[2]) if best else None


# -- helpers the sources share ----------------------------------------------------------------
def _read_text(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read(4096).replace("\x00", "").strip()
    except OSError:
        return ""


def _need(value: str, what: str) -> str:
    if not value:
        raise SourceUnavailable(f"no {what} on this machine")
    return value


def _command_output(args: list[str]) -> str:
    import subprocess

    try:
        done = subprocess.run(
            args, capture_output=True, text=True, timeout=_COMMAND_TIMEOUT, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SourceUnavailable(f"{args[0]}: {exc}") from exc
    return done.stdout.strip()


def _registry_value(path: str, name: str) -> str:
    """A value under HKEY_LOCAL_MACHINE\\path, as text."""
    if sys.platform != "win32":
        raise SourceUnavailable("no Windows registry here")
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, path) as key:
            value, _kind = winreg.QueryValueEx(key, name)
    except OSError as exc:
        raise SourceUnavailable(f"registry {path}\\{name}: {exc}") from exc
    return str(value).strip()


def _os_release() -> dict[str, str]:
    import platform

    try:
        return platform.freedesktop_os_release()  # cached by platform after the first read
    except OSError:
        return {}


def _mac_system_version() -> dict[str, Any]:
    import plistlib

    try:
        with open("/System/Library/CoreServices/SystemVersion.plist", "rb") as file:
            data = plistlib.load(file)
    except (OSError, plistlib.InvalidFileException):
        return {}
    return data if isinstance(data, dict) else {}


_BIOS_KEY = r"HARDWARE\DESCRIPTION\System\BIOS"
_WINDOWS_VERSION_KEY = r"SOFTWARE\Microsoft\Windows NT\CurrentVersion"


# -- the sources ------------------------------------------------------------------------------
def os_name() -> str:
    """"Debian GNU/Linux 12 (bookworm)", "Windows 11 Pro", "macOS 14.3.1"."""
    import platform

    if sys.platform == "win32":
        release, version, _csd, _kind = platform.win32_ver()
        # Python 3.11 calls Windows 11 "10": build 22000 was the first Windows 11.
        build = version.rsplit(".", 1)[-1]
        if release == "10" and build.isdigit() and int(build) >= 22000:
            release = "11"
        edition = platform.win32_edition() or ""
        edition = {"Core": "Home", "Professional": "Pro"}.get(edition, edition)
        return " ".join(p for p in ("Windows", release, edition) if p)
    if sys.platform == "darwin":
        return f"macOS {platform.mac_ver()[0]}".strip()
    info = _os_release()
    name = info.get("PRETTY_NAME") or " ".join(
        p for p in (info.get("NAME", ""), info.get("VERSION", "")) if p
    )
    return name or f"{platform.system()} {platform.release()}".strip()


def os_version() -> str:
    import platform

    if sys.platform == "win32":
        return platform.win32_ver()[1]  # "10.0.22631"
    if sys.platform == "darwin":
        return platform.mac_ver()[0]
    info = _os_release()
    # Rolling distributions (Arch) have no VERSION_ID; the kernel is then the best version.
    return info.get("VERSION_ID") or info.get("BUILD_ID") or platform.release()


def os_build() -> str:
    """The build people quote in bug reports, with the architecture: "22631.3155 (AMD64)"."""
    import platform

    machine = platform.machine()
    if sys.platform == "win32":
        build = platform.win32_ver()[1].rsplit(".", 1)[-1]
        with contextlib.suppress(SourceUnavailable):  # UBR: the monthly update's number
            build = f"{build}.{_registry_value(_WINDOWS_VERSION_KEY, 'UBR')}"
        return f"{build} ({machine})"
    if sys.platform == "darwin":
        build = str(_mac_system_version().get("ProductBuildVersion", ""))
        return f"{_need(build, 'macOS build')} ({machine})"
    return f"kernel {platform.release()} ({machine})"


def host_name() -> str:
    import socket

    return socket.gethostname()


def user_name() -> str:
    import getpass

    return getpass.getuser()


def hw_vendor() -> str:
    if sys.platform == "win32":
        return _need(meaningful(_registry_value(_BIOS_KEY, "SystemManufacturer")), "vendor")
    if sys.platform == "darwin":
        return "Apple"
    return _need(meaningful(_read_text("/sys/class/dmi/id/sys_vendor")), "DMI vendor")


def hw_model() -> str:
    if sys.platform == "win32":
        name = _registry_value(_BIOS_KEY, "SystemProductName")
        try:
            version = _registry_value(_BIOS_KEY, "SystemVersion")
        except SourceUnavailable:
            version = ""
        return _need(hardware_model(name, version), "model")
    if sys.platform == "darwin":
        return _need(_command_output(["sysctl", "-n", "hw.model"]), "model")
    model = hardware_model(
        _read_text("/sys/class/dmi/id/product_name"),
        _read_text("/sys/class/dmi/id/product_version"),
    )
    # ARM boards (a Raspberry Pi) have no DMI table but name themselves in the device tree.
    return _need(model or meaningful(_read_text("/proc/device-tree/model")), "DMI model")


def _cpu_model() -> str:
    import platform

    if sys.platform == "win32":
        path = r"HARDWARE\DESCRIPTION\System\CentralProcessor\0"
        return _registry_value(path, "ProcessorNameString")
    if sys.platform == "darwin":
        return _command_output(["sysctl", "-n", "machdep.cpu.brand_string"])
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as file:
            for line in file:  # stop at the first CPU: the file is long on big machines
                key, _, value = line.partition(":")
                if key.strip() == "model name":
                    return value.strip()
    except OSError:
        pass
    # platform.processor() would run `uname -p` here: the architecture says as much.
    return platform.machine()


def cpu() -> str:
    """"Intel(R) Core(TM) i7-10610U CPU @ 1.80GHz, 4 cores, 8 threads"."""
    import psutil

    model = " ".join(_cpu_model().split())  # Intel pads its brand string with spaces
    logical = os.cpu_count()
    physical = psutil.cpu_count(logical=False)
    if physical and logical and physical != logical:
        count = f"{physical} cores, {logical} threads"
    elif logical:
        count = f"{logical} cores" if logical != 1 else "1 core"
    else:
        count = ""
    return ", ".join(p for p in (model, count) if p)


def mem_total() -> str:
    import psutil

    return human_bytes(psutil.virtual_memory().total)


def mem_available() -> str:
    import psutil

    return human_bytes(psutil.virtual_memory().available)


def disk_free() -> str:
    """Free space on the system disk: "120.3 GiB of 476.9 GiB"."""
    import psutil

    # Environment names ignore case on Windows, where %SystemDrive% is usually "C:".
    root = os.environ.get("SYSTEMDRIVE", "C:") + "\\" if sys.platform == "win32" else "/"
    usage = psutil.disk_usage(root)
    return f"{human_bytes(usage.free)} of {human_bytes(usage.total)}"


def _battery() -> Any:
    import psutil

    sensors = getattr(psutil, "sensors_battery", None)
    if sensors is None:
        raise SourceUnavailable("psutil reads no batteries on this OS")
    return sensors()


def battery_percent() -> str:
    battery = _battery()
    return "no battery" if battery is None else f"{round(battery.percent)}%"


def battery_charging() -> str:
    """"plugged in", "on battery, 2 h 10 min left" or "no battery"."""
    import psutil

    battery = _battery()
    if battery is None:
        return "no battery"
    if battery.power_plugged is None:
        raise SourceUnavailable("the battery does not say whether it is plugged in")
    if battery.power_plugged:
        return "plugged in"
    left = battery.secsleft
    unknown = (psutil.POWER_TIME_UNKNOWN, psutil.POWER_TIME_UNLIMITED)
    if left in unknown or left is None or left < 0:
        return "on battery"
    return f"on battery, {compact_duration(left)} left"


def uptime() -> str:
    import psutil

    return compact_duration(time.time() - psutil.boot_time())


def net_addresses() -> str:
    """"eth0 192.168.1.5, wlan0 10.0.0.3 2001:db8::3", without loopback and link-local."""
    import ipaddress
    import socket

    import psutil

    parts = []
    for name, addresses in psutil.net_if_addrs().items():
        found = []
        for address in addresses:
            if address.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            try:
                ip = ipaddress.ip_address(address.address.split("%", 1)[0])
            except ValueError:
                continue
            if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified):
                found.append(str(ip))
        if found:
            parts.append(f"{name} {' '.join(found)}")
    if not parts:
        return "no network addresses"
    shown = ", ".join(parts[:_MAX_INTERFACES])
    more = len(parts) - _MAX_INTERFACES
    return f"{shown} (+{more} more)" if more > 0 else shown


def _local_address() -> str | None:
    """The address the OS would send from to the internet; sends nothing at all."""
    import socket

    # connect() on a UDP socket only picks a route and a source address. The targets are
    # documentation addresses (RFC 5737, RFC 3849) so no real host is ever named.
    for family, probe in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as probe_socket:
                probe_socket.connect((probe, 9))
                return str(probe_socket.getsockname()[0])
        except OSError:
            continue
    return None


def _interface_of(ip: str) -> str | None:
    import psutil

    for name, addresses in psutil.net_if_addrs().items():
        if any(a.address.split("%", 1)[0] == ip for a in addresses):
            return str(name)
    return None


def net_default() -> str:
    """The interface internet traffic leaves by: "eth0 192.168.1.5 via 192.168.1.1"."""
    local = _local_address()
    route = None
    if sys.platform.startswith("linux"):
        route = parse_linux_default_route(_read_text_all("/proc/net/route"))
        if route is None:
            route = parse_linux_default_route6(_read_text_all("/proc/net/ipv6_route"))
    if route is not None:
        iface, gateway = route
    else:
        iface, gateway = (_interface_of(local) or "") if local else "", ""
    if not iface and not local:
        return "no default route"
    text = " ".join(p for p in (iface, local) if p)
    return f"{text} via {gateway}" if gateway else text


def _read_text_all(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as file:
            return file.read()
    except OSError:
        return ""


_ZONE_NAME = re.compile(r"(?:[A-Za-z][A-Za-z0-9_+-]*/)*[A-Za-z][A-Za-z0-9_+-]*")


def _zone_name() -> str | None:
    """The IANA name of the local zone ("Europe/Berlin"), where the OS makes it cheap to find."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(os.readlink("/etc/localtime"))  # Linux and macOS keep a symlink
    candidates.append(_read_text("/etc/timezone"))  # Debian and its family
    for candidate in candidates:
        name = candidate.split("zoneinfo/", 1)[-1].strip()
        # TZ may also be a POSIX rule ("CET-1CEST"), which names no zone.
        if name and _ZONE_NAME.fullmatch(name) and ("/" in name or name in ("UTC", "GMT")):
            return name
    return None


def time_zone() -> str:
    """"Europe/Berlin (CET, UTC+01:00)"."""
    from datetime import datetime

    now = datetime.now().astimezone()
    offset = utc_offset_of(now)
    short = now.tzname() or ""
    name = _zone_name()
    if name and short and short != name:
        return f"{name} ({short}, {offset})"
    return f"{name or short} ({offset})" if (name or short) else offset


def local_time() -> str:
    from datetime import datetime

    return datetime.now().astimezone().isoformat(timespec="seconds")


def locale_name() -> str:
    import locale

    language, encoding = locale.getlocale()
    if not language:
        return "C"
    return f"{language}.{encoding}" if encoding else language


DEFAULT_SOURCES: Mapping[str, Source] = MappingProxyType(
    {
        "os.name": os_name,
        "os.version": os_version,
        "os.build": os_build,
        "host.name": host_name,
        "user.name": user_name,
        "hw.vendor": hw_vendor,
        "hw.model": hw_model,
        "cpu": cpu,
        "mem.total": mem_total,
        "mem.available": mem_available,
        "disk.free": disk_free,
        "battery.percent": battery_percent,
        "battery.charging": battery_charging,
        "uptime": uptime,
        "net.addresses": net_addresses,
        "net.default": net_default,
        "tz": time_zone,
        "local_time": local_time,
        "locale": locale_name,
    }
)
"""The source of every standard field the app does not fill in itself (sysinfo_fields.APP_KEYS)."""
