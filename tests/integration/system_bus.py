"""A private D-Bus standing in for the system bus, with logind and NetworkManager on it.

The app listens on the system bus for logind's PrepareForSleep and (through Qt's
QNetworkInformation backend for NetworkManager) for NetworkManager's State: a child
`supporttray run` given `DBUS_SYSTEM_BUS_ADDRESS=SystemBus.address` hears these stand-ins, so
a test can say "the machine woke up" or "the network is back" the way the desktop says it.
The bus is a `dbus-daemon` of our own (never the machine's); the services speak through
jeepney from a thread of the test.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, HeaderFields, MessageType, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection

NM_NAME = "org.freedesktop.NetworkManager"
NM_PATH = "/org/freedesktop/NetworkManager"
NM_STATE_DISCONNECTED = 20
NM_STATE_CONNECTED_GLOBAL = 70
NM_CONNECTIVITY = {NM_STATE_DISCONNECTED: 1, NM_STATE_CONNECTED_GLOBAL: 4}  # none / full
LOGIND_NAME = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SystemBus:
    """`with SystemBus(tmp) as bus:` a bus at `bus.address`, NetworkManager saying `state`."""

    def __init__(self, directory: Path, *, state: int = NM_STATE_CONNECTED_GLOBAL) -> None:
        self._directory = directory
        self._state = state
        self.address = ""
        self.calls: list[str] = []  # "path member" of every method call the services got
        self._daemon: subprocess.Popen[bytes] | None = None
        self._connection: DBusConnection | None = None
        self._send_lock = threading.Lock()

    def __enter__(self) -> SystemBus:
        socket = self._directory / "system_bus_socket"
        config = self._directory / "system-bus.conf"
        config.write_text(_CONFIG.format(socket=socket), encoding="utf-8")
        self._daemon = subprocess.Popen(
            ["dbus-daemon", "--nofork", "--nopidfile", f"--config-file={config}",
             "--print-address=1"], stdout=subprocess.PIPE)  # fmt: skip
        assert self._daemon.stdout is not None
        self.address = self._daemon.stdout.readline().decode().strip()
        self._connection = open_dbus_connection(bus=self.address)
        for name in (NM_NAME, LOGIND_NAME):
            self._connection.send_and_get_reply(message_bus.RequestName(name), timeout=5)
        threading.Thread(target=self._serve, name="system-bus", daemon=True).start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
        if self._daemon is not None:
            self._daemon.terminate()
            self._daemon.wait(timeout=5)

    # -- what the desktop says ------------------------------------------------------------------
    def network(self, state: int) -> None:
        """NetworkManager's State changes (70: connected, 20: disconnected)."""
        self._state = state
        self._send(new_signal(
            DBusAddress(NM_PATH, interface="org.freedesktop.DBus.Properties"),
            "PropertiesChanged", "sa{sv}as", (NM_NAME, self._properties(), [])))

    def woke(self) -> None:
        """logind: the machine has resumed from sleep."""
        self._send(new_signal(
            DBusAddress(LOGIND_PATH, interface="org.freedesktop.login1.Manager"),
            "PrepareForSleep", "b", (False,)))

    # -- the services -------------------------------------------------------------------------
    def _properties(self) -> dict[str, tuple[str, Any]]:
        return {"State": ("u", self._state),
                "Connectivity": ("u", NM_CONNECTIVITY.get(self._state, 0))}

    def _send(self, message: Any) -> None:
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
            header = message.header
            if header.message_type is not MessageType.method_call:
                continue
            member = header.fields.get(HeaderFields.member)
            self.calls.append(f"{header.fields.get(HeaderFields.path)} {member}")
            if member == "GetAll":
                self._send(new_method_return(message, "a{sv}", (self._properties(),)))
            elif member == "Get":
                value = self._properties().get(message.body[1], ("u", 0))
                self._send(new_method_return(message, "v", (value,)))
            else:
                self._send(new_method_return(message))
