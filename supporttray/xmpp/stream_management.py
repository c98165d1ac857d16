"""Stream management (XEP-0198) for one client: a short drop is resumed, not a new login; the
server's acks say which of our stanzas it has; a link that stops acking is treated as dead.

Through slixmpp's xep_0198 plugin: it counts stanzas both ways, keeps what the server has not
acked yet and resends it when a stream is resumed. What we add:
- an ack request after every stanza we send (window 1): acks ride on our own traffic, so an
  idle app sets no timer at all;
- a deadline: when a chat message waits for its ack longer than ACK_DEADLINE_SECONDS, the link is
  dead (Wi-Fi gone, a NAT box that forgot us: TCP itself would notice only after minutes), and
  `on_dead` drops it so the connection resumes on a fresh socket.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger("supporttray.xmpp")

ACK_DEADLINE_SECONDS = 6.0


class StreamWatch:
    """One client's stream management; install() before connecting."""

    def __init__(self, client: Any, *, on_dead: Callable[[], None],
                 deadline: float = ACK_DEADLINE_SECONDS) -> None:
        self._client = client
        self._on_dead = on_dead
        self._deadline = deadline
        self._check: asyncio.TimerHandle | None = None
        client.register_plugin("xep_0198")
        plugin = client.plugin["xep_0198"]
        # Set here, not as plugin config: any plugin may have loaded xep_0198 first.
        plugin.window = plugin.window_counter = 1
        plugin.allow_resume = True
        client.add_event_handler("session_resumed", self._resumed)
        client.add_event_handler("disconnected", lambda _e: self._stop_checking())
        client.add_event_handler("session_end", lambda _e: self._stop_checking())

    @property
    def enabled(self) -> bool:
        """True while what we send is counted: the server's acks will say when it has it."""
        return bool(self._client.plugin["xep_0198"].enabled_out)

    @property
    def resumable(self) -> bool:
        """True when the server keeps our session across a drop (we may resume it)."""
        plugin = self._client.plugin["xep_0198"]
        return bool(plugin.sm_id) and bool(plugin.allow_resume)

    def expect_ack(self) -> None:
        """Something that matters was sent: its ack must come within the deadline."""
        if self._check is None:
            self._arm()

    def _resumed(self, _event: object) -> None:
        # slixmpp resends what the server had not acked, but past its own counting filter, so
        # without asking for an ack: until we sent something else, those messages would never
        # be confirmed (and would go again at the next start).
        plugin = self._client.plugin["xep_0198"]
        if plugin.unacked_queue:
            plugin.request_ack()
            self.expect_ack()

    def _arm(self) -> None:
        acked = self._client.plugin["xep_0198"].last_ack
        self._check = asyncio.get_running_loop().call_later(
            self._deadline, self._look, acked)

    def _look(self, acked_before: int) -> None:
        self._check = None
        plugin = self._client.plugin["xep_0198"]
        if not plugin.unacked_queue or self._client.transport is None:
            return  # everything acked (or already gone): nothing to watch
        if plugin.last_ack != acked_before:
            self._arm()  # acks still come, just not for all of it yet
            return
        log.warning("the server acknowledged nothing for %.0f s: the link is dead, "
                    "reconnecting", self._deadline)
        self._on_dead()

    def _stop_checking(self) -> None:
        if self._check is not None:
            self._check.cancel()
            self._check = None
