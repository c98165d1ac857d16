"""The XMPP side: the only package that speaks slixmpp (see ../shared/DESIGN.md)."""

from __future__ import annotations

import sys


def decline_optional_imports(*, pinned_host: bool) -> None:
    """Keep slixmpp from loading optional packages this app does not use; call before the
    first slixmpp import (later it changes nothing).

    - pygments, which slixmpp loads only to colour its debug log (22 ms of start-up);
    - aiodns and pycares, which slixmpp loads for DNS SRV look-ups, when the policy names the
      server's host (`server.host`): then there is nothing to look up beyond an address, which
      the loop's getaddrinfo does (24 ms and 1.5 MB).
    A package that is already loaded (by a test runner, say) is left alone.
    """
    declined = ["pygments"]
    if pinned_host:
        declined.append("aiodns")
    for name in declined:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail
