"""A D-Bus of the tests' own, and stand-in desktop services on it.

`with PrivateBus(tmp, kind="session") as bus:` starts a `dbus-daemon` on a socket in `tmp`
(never the machine's bus) and gives its address; the app under test is pointed at it
(`DBUS_SESSION_BUS_ADDRESS` / `DBUS_SYSTEM_BUS_ADDRESS`, or the address passed in).
`StandIn(address, names, answer)` is a service on such a bus, spoken through jeepney from a
thread of the test: it owns `names`, records every method call and replies with what `answer`
returns for it (None: no reply, as a hung service). The services of the tests
(system_bus.py, notification_service.py, idle_monitor_service.py) are built from these two.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal

from jeepney import HeaderFields, MessageType
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>{kind}</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class PrivateBus:
    """A `dbus-daemon` of the test's own, alive for the `with` block."""

    def __init__(self, directory: Path, *, kind: Literal["session", "system"]) -> None:
        self._directory = directory
        self._kind = kind
        self.address = ""
        self._daemon: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PrivateBus:
        socket = self._directory / f"{self._kind}_bus_socket"
        config = self._directory / f"{self._kind}-bus.conf"
        config.write_text(_CONFIG.format(kind=self._kind, socket=socket), encoding="utf-8")
        self._daemon = subprocess.Popen(
            ["dbus-daemon", "--nofork", "--nopidfile", f"--config-file={config}",
             "--print-address=1"], stdout=subprocess.PIPE)  # fmt: skip
        assert self._daemon.stdout is not None
        self.address = self._daemon.stdout.readline().decode().strip()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._daemon is not None:
            self._daemon.terminate()
            self._daemon.wait(timeout=5)


class StandIn:
    """A service owning `names` on the bus at `address`, answering calls on its own thread."""

    def __init__(self, address: str, names: Iterable[str],
                 answer: Callable[[Any], Any | None]) -> None:
        self._address = address
        self._names = tuple(names)
        self._answer = answer
        self.calls: list[str] = []  # "path member" of every method call, in order
        self._connection: DBusConnection | None = None
        self._send_lock = threading.Lock()

    def start(self) -> None:
        self._connection = open_dbus_connection(bus=self._address)
        for name in self._names:
            self._connection.send_and_get_reply(message_bus.RequestName(name), timeout=5)
        threading.Thread(target=self._serve, name="stand-in", daemon=True).start()

    def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()

    def send(self, message: Any) -> None:
        """A reply or a signal, from any thread."""
        assert self._connection is not None
        with self._send_lock:
            self._connection.send(message)

    def _serve(self) -> None:
        assert self._connection is not None
        while True:
            try:
                message = self._connection.receive()
            except Exception:  # the bus is going away with the test
                return
            if message.header.message_type is not MessageType.method_call:
                continue
            fields = message.header.fields
            self.calls.append(f"{fields.get(HeaderFields.path)} {fields.get(HeaderFields.member)}")
            reply = self._answer(message)
            if reply is not None:
                self.send(reply)
