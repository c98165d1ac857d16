"""Whether the server keeps its own copy of our chats (XEP-0313 on our account), as the login
found by discovery: the privacy line of every chat says so."""

from __future__ import annotations

from supporttray.core.listeners import Listeners


class ServerArchive:
    """None until a session has asked (or when the server did not answer); then True/False.

    A new login asks again (the account may have moved to another server), so a value only
    changes, it is never cleared: the last answer is the best guess while offline.
    """

    def __init__(self) -> None:
        self._archives: bool | None = None
        self.changed: Listeners[bool | None] = Listeners()

    @property
    def archives(self) -> bool | None:
        return self._archives

    def found(self, archives: bool | None) -> None:
        """What this session's discovery said (None: no answer: keep the last one known)."""
        if archives is None or archives == self._archives:
            return
        self._archives = archives
        self.changed.emit(archives)
