"""The fast SCRAM hash: hashlib's pbkdf2 in place of slixmpp's loop, with identical results."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slixmpp.util.sasl import mechanisms

from supporttray.xmpp.fast_scram import SLOW_HI, _fast_hi, install_fast_pbkdf2


class _Scram:
    """Just what Hi() needs from slixmpp's SCRAM mechanism object."""

    def __init__(self, name: str) -> None:
        import hashlib
        import hmac

        self.hash = getattr(hashlib, name)
        self._hmac = hmac

    def HMAC(self, key: bytes, msg: bytes) -> bytes:
        return self._hmac.HMAC(key=key, msg=msg, digestmod=self.hash).digest()


@pytest.mark.parametrize("hash_name", ["sha1", "sha256", "sha512"])
@given(password=st.text(max_size=40), salt=st.binary(min_size=1, max_size=24),
       iterations=st.integers(min_value=1, max_value=64))
def test_fast_scram_hash_equals_slixmpps_own(
    hash_name: str, password: str, salt: bytes, iterations: int
) -> None:
    scram = _Scram(hash_name)
    secret = password.encode()
    slow = SLOW_HI(scram, secret, salt, iterations)  # type: ignore[arg-type]
    assert _fast_hi(scram, secret, salt, iterations) == slow


def test_installing_the_fast_hash_replaces_slixmpps_loop() -> None:
    install_fast_pbkdf2()
    assert mechanisms.SCRAM.Hi is _fast_hi
    assert SLOW_HI is not _fast_hi
