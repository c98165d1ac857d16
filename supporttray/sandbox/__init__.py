"""A real Prosody on loopback for the tests, the demo and `supporttray sandbox`."""

from supporttray.sandbox.prosody import (
    Account,
    ProsodyMissing,
    ProsodySandbox,
    SandboxError,
    find_prosody,
)

__all__ = ["Account", "ProsodyMissing", "ProsodySandbox", "SandboxError", "find_prosody"]
