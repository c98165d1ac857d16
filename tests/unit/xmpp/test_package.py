"""The xmpp package's start: optional slixmpp imports are declined when nothing needs them."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(("pinned_host", "expect_aiodns"), [(True, False), (False, True)])
def test_slixmpp_loads_aiodns_only_when_it_may_need_dns_srv(
    pinned_host: bool, expect_aiodns: bool
) -> None:
    """A policy that names the host has nothing to look up by SRV: no resolver library, and
    never pygments (slixmpp's debug-log colouring). Checked in a fresh interpreter."""
    code = (
        "import sys\n"
        "from supporttray.xmpp import decline_optional_imports\n"
        f"decline_optional_imports(pinned_host={pinned_host})\n"
        "from supporttray.xmpp.connection import XmppConnection\n"
        "from slixmpp.xmlstream import resolver\n"
        "def loaded(name): return sys.modules.get(name) is not None\n"
        "print(resolver.AIODNS_AVAILABLE, loaded('aiodns'), loaded('pycares'),\n"
        "      loaded('pygments'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.split() == [str(expect_aiodns)] * 3 + ["False"]
