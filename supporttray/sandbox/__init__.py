"""Real XMPP servers on loopback (Prosody, ejabberd): the tests, the demo, `supporttray sandbox`."""

from supporttray.sandbox.ejabberd import EjabberdMissing, EjabberdSandbox, find_ejabberd
from supporttray.sandbox.prosody import ProsodyMissing, ProsodySandbox, find_prosody
from supporttray.sandbox.server import Account, SandboxError, SandboxServer, ServerMissing

__all__ = [
    "Account",
    "EjabberdMissing",
    "EjabberdSandbox",
    "ProsodyMissing",
    "ProsodySandbox",
    "SandboxError",
    "SandboxServer",
    "ServerMissing",
    "find_ejabberd",
    "find_prosody",
]
