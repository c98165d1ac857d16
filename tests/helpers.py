"""Factories every test folder shares: the fake clock, the moment it starts at, a message from
the other side, staff settings with on-call hours, a fake `winreg`. No Qt and no slixmpp here,
so unit tests can import it; Qt fakes stay in tests/ui/chat_fakes.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from supporttray.config.policy import Policy
from supporttray.config.settings import Settings
from supporttray.core.messages import ChatMessage, Delivery, Direction
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import Availability

# The moment a FakeClock starts at; tests whose outcome depends on the date or the time of day
# keep a moment of their own, named for what it is.
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock for tests: stands still until told to move (assign `now` or call `advance`)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now = self.now + timedelta(seconds=seconds)


def incoming(
    body: str = "hi",
    *,
    message_id: str | None = None,
    peer: str = "alice@example.org",
    at: datetime = T0,
    thread: str | None = None,
    delivery: Delivery = Delivery.RECEIVED,
    sysinfo: tuple[tuple[str, str], ...] = (),
) -> ChatMessage:
    """A message the other side wrote, as the network layer hands it in: the peer as a bare JID
    (a resource is dropped), and an id made from the body and the time unless one is given."""
    if message_id is None:
        message_id = f"id-{body[:8]}-{at.timestamp()}"
    return ChatMessage(message_id, peer.split("/")[0], Direction.IN, body, at, thread, delivery,
                       sysinfo)  # fmt: skip


def staff_settings(hours: str, *, source: Path | None = None, enforced: bool = True) -> Settings:
    """A staff member's settings with these on-call hours, from the machine policy."""
    values: dict[str, object] = {"support.mode": "staff", "presence.on_call_hours": hours}
    policy = Policy(source=source, enforced=values) if enforced else Policy(source=source,
                                                                            defaults=values)
    return Settings(policy)


def shown(own: OwnPresence) -> tuple[Availability, str]:
    """What others see of us: the availability and the status message."""
    return own.current.show, own.current.status


# -- the Windows registry, for the policy reader (config/policy_windows.py) -----------------

REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ, REG_DWORD, REG_QWORD = 1, 2, 7, 4, 11


@dataclass
class FakeKey:
    values: dict[str, tuple[object, int]] = field(default_factory=dict)
    subkeys: dict[str, FakeKey] = field(default_factory=dict)

    def __enter__(self) -> FakeKey:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class FakeWinreg:
    """winreg's calls over a tree of FakeKeys; HKEY_LOCAL_MACHINE is the root's handle."""

    HKEY_LOCAL_MACHINE = 0x80000002
    KEY_READ = 0x20019
    KEY_WOW64_64KEY = 0x0100
    REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ, REG_DWORD, REG_QWORD = (
        REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ, REG_DWORD, REG_QWORD)

    def __init__(self) -> None:
        self.hklm = FakeKey()
        self.opened_with: list[int] = []

    def set(self, path: str, name: str, value: object, kind: int) -> None:
        self._make(path).values[name] = (value, kind)

    def _make(self, path: str) -> FakeKey:
        key = self.hklm
        for part in path.split("\\"):
            key = key.subkeys.setdefault(part.lower(), FakeKey())
        return key

    def OpenKey(self, key: object, sub_key: str, reserved: int = 0,
                access: int = 0x20019) -> FakeKey:
        self.opened_with.append(access)
        node = self.hklm if key == self.HKEY_LOCAL_MACHINE else key
        assert isinstance(node, FakeKey)
        for part in sub_key.split("\\"):
            if part.lower() not in node.subkeys:
                raise FileNotFoundError(2, "The system cannot find the file specified")
            node = node.subkeys[part.lower()]
        return node

    def EnumValue(self, key: FakeKey, index: int) -> tuple[str, object, int]:
        items = list(key.values.items())
        if index >= len(items):
            raise OSError(259, "No more data is available")
        name, (value, kind) = items[index]
        return name, value, kind

    def EnumKey(self, key: FakeKey, index: int) -> str:
        names = list(key.subkeys)
        if index >= len(names):
            raise OSError(259, "No more data is available")
        return names[index]
