"""Dead-link detection by the kernel (TCP keepalive), not by a timer in the app.

An XMPP ping every two minutes would wake the app (and the laptop's radio stack in user space)
forever, just to learn that nothing happened. TCP keepalive asks the same question from the
kernel: after IDLE seconds of silence it probes, and a link that stays dead for COUNT probes
INTERVAL seconds apart fails the socket, which slixmpp reports as a disconnect, and we
reconnect. Data we sent that is never acknowledged fails the socket after the same time
(TCP_USER_TIMEOUT), instead of Linux's default of about 15 minutes of retransmissions.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any

log = logging.getLogger("supporttray.xmpp")

IDLE_SECONDS = 120  # a dead hotel Wi-Fi link is noticed within ~2.5 min
INTERVAL_SECONDS = 10
PROBES = 3


def enable(sock: Any, *, idle: int = IDLE_SECONDS, interval: int = INTERVAL_SECONDS,
           probes: int = PROBES) -> bool:
    """Turn on keepalive for a connected TCP socket (a socket.socket or asyncio's wrapper);
    False, with a log line, where the platform does not let us set it."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if sys.platform == "win32":
            # Windows takes milliseconds, all three at once (probe count is fixed at 10).
            sock.ioctl(socket.SIO_KEEPALIVE_VALS, (1, idle * 1000, interval * 1000))
            return True
        # macOS names the idle time TCP_KEEPALIVE; Linux and the BSDs TCP_KEEPIDLE.
        idle_option = getattr(socket, "TCP_KEEPIDLE", getattr(socket, "TCP_KEEPALIVE", None))
        if idle_option is not None:
            sock.setsockopt(socket.IPPROTO_TCP, idle_option, idle)
        for name, value in (("TCP_KEEPINTVL", interval), ("TCP_KEEPCNT", probes),
                            ("TCP_USER_TIMEOUT", (idle + interval * probes) * 1000)):
            option = getattr(socket, name, None)
            if option is not None:
                sock.setsockopt(socket.IPPROTO_TCP, option, value)
    except (OSError, AttributeError, ValueError) as exc:
        log.warning("could not turn on TCP keepalive (%s): a dead link is noticed only when "
                    "we next send", exc)
        return False
    return True
