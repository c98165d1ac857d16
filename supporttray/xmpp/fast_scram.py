"""SCRAM's PBKDF2 in C instead of slixmpp's pure-Python loop.

slixmpp computes SCRAM's Hi() one HMAC per Python iteration: 4096 iterations cost ~20 ms at
every login. Hi() *is* PBKDF2-HMAC with a single output block (RFC 5802 §2.2), which
hashlib.pbkdf2_hmac computes in C with identical results (tests/unit/xmpp/test_fast_scram.py).
"""

from __future__ import annotations

import hashlib
from typing import Any

from slixmpp.util.sasl import mechanisms

_installed = False
# Kept so tests compare against slixmpp's own loop even after install_fast_pbkdf2() ran.
SLOW_HI = mechanisms.SCRAM.Hi


def _fast_hi(self: Any, text: bytes, salt: bytes, iterations: int) -> bytes:
    name = self.hash().name  # "sha1", "sha256", ...
    key = bytes(text)
    return hashlib.pbkdf2_hmac(name, key, bytes(salt), iterations, dklen=self.hash().digest_size)


def install_fast_pbkdf2() -> None:
    """Replace slixmpp's SCRAM Hi() once per process."""
    global _installed
    if _installed:
        return
    mechanisms.SCRAM.Hi = _fast_hi  # type: ignore[method-assign,assignment]
    _installed = True
