"""The state of our own connection to the server, as the user should understand it."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from supporttray.core.listeners import Listeners
from supporttray.language.catalogue import _
from supporttray.language.sentence import Sentence, shown


class ConnectionState(enum.Enum):
    CONNECTING = "connecting"
    ONLINE = "online"
    OFFLINE = "offline"
    ERROR = "error"


class NetworkChange(enum.Enum):
    """What the operating system said that may have changed our link to the server."""

    REACHABLE = "the network is back"
    CHANGED = "the network changed"
    WOKE = "the computer woke from sleep"


@dataclass(frozen=True)
class ConnectionStatus:
    state: ConnectionState
    # A sentence the user can act on ("The password for x@y was refused. ..."), or None:
    # str() English for status --json, doctor and logs, shown() translated for the windows; a
    # plain str is text without a translation.
    error: Sentence | str | None = None
    # No account, no stored password, or the server refused it: only the person can fix that,
    # so the app asks them to sign in (the Sign-in window) instead of retrying.
    needs_sign_in: bool = False

    def describe(self) -> str:
        """One line for a tooltip or a menu entry."""
        if self.state is ConnectionState.ONLINE:
            return _("Connected")
        if self.state is ConnectionState.CONNECTING:
            return _("Connecting…")
        if self.error:
            return shown(self.error)
        if self.state is ConnectionState.ERROR:
            return _("Connection error")
        return _("Offline")


class ConnectionMonitor:
    """Holds the current ConnectionStatus and tells listeners when it changes."""

    def __init__(self) -> None:
        self._status = ConnectionStatus(ConnectionState.OFFLINE)
        self.changed: Listeners[ConnectionStatus] = Listeners()

    @property
    def status(self) -> ConnectionStatus:
        return self._status

    def set(self, state: ConnectionState, error: Sentence | str | None = None,
            *, needs_sign_in: bool = False) -> None:
        new = ConnectionStatus(state, error, needs_sign_in)
        if new != self._status:
            self._status = new
            self.changed.emit(new)
