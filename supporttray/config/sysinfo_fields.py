"""The system-info fields: every key there is, its label and its place in the shown order.

The one list that the policy (`sysinfo.fields`, its default and its check), the readable block
and received-form ordering (core.sysinfo) and the probes (platform.sysinfo_sources) all read.
Here, in the bottom layer, because config may import nothing above it; pure data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class SysinfoField:
    key: str  # on the wire: one XEP-0004 field var in the sysinfo form
    label: str  # what a person reads before the value
    # Filled in by the app itself (its version, its session), not read from the machine.
    from_app: bool = False


FIELDS: tuple[SysinfoField, ...] = (
    SysinfoField("os.name", "OS"),
    SysinfoField("os.version", "OS version"),
    SysinfoField("os.build", "OS build"),
    SysinfoField("host.name", "Computer name"),
    SysinfoField("user.name", "User"),
    SysinfoField("hw.vendor", "Manufacturer"),
    SysinfoField("hw.model", "Model"),
    SysinfoField("cpu", "CPU"),
    SysinfoField("mem.total", "Memory"),
    SysinfoField("mem.available", "Memory free"),
    SysinfoField("disk.free", "Disk free"),
    SysinfoField("battery.percent", "Battery"),
    SysinfoField("battery.charging", "Power"),
    SysinfoField("uptime", "Uptime"),
    SysinfoField("net.addresses", "IP addresses"),
    SysinfoField("net.default", "Default network"),
    SysinfoField("tz", "Time zone"),
    SysinfoField("local_time", "Local time"),
    SysinfoField("locale", "Locale"),
    SysinfoField("app.version", "SupportTray version", from_app=True),
    SysinfoField("conn.server", "Server", from_app=True),
    SysinfoField("conn.tls", "TLS", from_app=True),
)
"""Every standard field, in the order they are shown; their keys are sysinfo.fields' default."""

KEYS: tuple[str, ...] = tuple(field.key for field in FIELDS)
LABELS: Mapping[str, str] = MappingProxyType({field.key: field.label for field in FIELDS})
APP_KEYS: tuple[str, ...] = tuple(field.key for field in FIELDS if field.from_app)
"""The fields the app fills in itself rather than reading the machine."""
