"""`supporttray sandbox [--dir DIR] [--server prosody|ejabberd]`: a local server with the demo
people, until Ctrl-C."""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

from supporttray.config.tomlfile import toml_value
from supporttray.sandbox import demo_accounts
from supporttray.sandbox.ejabberd import EjabberdSandbox
from supporttray.sandbox.prosody import ProsodySandbox
from supporttray.sandbox.server import SandboxError, SandboxServer, ServerMissing

log = logging.getLogger("supporttray.sandbox")

POLICY_FILE_NAME = "policy.toml"
# `--server`: the server software the sandbox runs (the first is the default).
SERVERS: dict[str, type[SandboxServer]] = {"prosody": ProsodySandbox, "ejabberd": EjabberdSandbox}


def run(
    directory: Path | None,
    *,
    server: str = "prosody",
    out: TextIO = sys.stdout,
    stop: threading.Event | None = None,
) -> int:
    """Run the demo sandbox until SIGINT/SIGTERM (or `stop` is set); the exit code.

    0 after a clean stop, 1 when the server could not be started (the reason on stderr).
    """
    stop_requested = stop if stop is not None else threading.Event()
    with _stop_on_signals(stop_requested):
        sandbox: SandboxServer | None = None
        try:
            sandbox = SERVERS[server](
                directory,
                accounts=demo_accounts.ALL,
                groups={demo_accounts.SUPPORT_GROUP: demo_accounts.named_group_members()},
            )
            sandbox.start()
            policy = write_policy(sandbox)
            _print_summary(sandbox, policy, directory is not None, out)
            while not stop_requested.wait(0.2):
                if not sandbox.running:
                    print(
                        f"The sandbox server stopped unexpectedly; see {sandbox.log_file}.",
                        file=sys.stderr,
                    )
                    return 1
        except ServerMissing as exc:
            print(exc, file=sys.stderr)
            return 1
        except (SandboxError, OSError, ValueError) as exc:
            log.debug("Sandbox failed", exc_info=True)
            print(f"The sandbox could not start: {exc}", file=sys.stderr)
            return 1
        finally:
            if sandbox is not None:
                sandbox.stop()
    print("Sandbox stopped.", file=out, flush=True)
    return 0


def write_policy(
    sandbox: SandboxServer,
    *,
    staff: Sequence[str] | None = None,
    extra: Mapping[str, object] | None = None,
    path: Path | None = None,
) -> Path:
    """Write a machine policy that points a SupportTray client at `sandbox`; its path.

    `staff` are usernames (default: every demo staff account); `extra` adds [enforced] keys.
    """
    usernames = staff if staff is not None else [name for name, _ in demo_accounts.STAFF]
    enforced: dict[str, object] = {
        "server.domain": sandbox.domain,
        "server.host": sandbox.host,
        "server.port": sandbox.c2s_port,
        "server.ca_file": str(sandbox.ca_file),
        "support.staff": [f"{name}@{sandbox.domain}" for name in usernames],
        "support.group": demo_accounts.SUPPORT_GROUP,
        "support.auto_accept_domains": [sandbox.domain],
        **(extra or {}),
    }
    lines = [
        "# Written by SupportTray: points it at a local sandbox server.",
        "# Valid only while that sandbox runs (its port and CA change with every new directory).",
        "[enforced]",
        *(f"{key} = {toml_value(value)}" for key, value in enforced.items()),
    ]
    target = path or sandbox.directory / POLICY_FILE_NAME
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def _print_summary(sandbox: SandboxServer, policy: Path, kept: bool, out: TextIO) -> None:
    group_members = set(demo_accounts.SUPPORT_GROUP_MEMBERS)
    askers = {name for name, _ in demo_accounts.ASKERS}
    rows = []
    for account in sandbox.accounts:
        if account.username in askers:
            role = "requester"
        elif account.username in group_members:
            role = f'staff, group "{demo_accounts.SUPPORT_GROUP}"'
        else:
            role = "staff"
        rows.append((account.jid, account.password, role))
    jid_width = max(len(jid) for jid, _, _ in rows)
    password_width = max(len(password) for _, password, _ in rows)
    fate = "kept" if kept else "removed when the sandbox stops"
    text = [
        f"SupportTray sandbox: {_article(sandbox.name)} XMPP server on this computer only.",
        "",
        f"  Domain:     {sandbox.domain}",
        f"  Server:     {sandbox.host} port {sandbox.c2s_port} (STARTTLS required)",
        f"  CA file:    {sandbox.ca_file}  (clients must trust it)",
        f"  Group chat: {sandbox.muc_domain or 'none'}",
        f"  Upload:     {sandbox.upload_domain} (https://{sandbox.host}:{sandbox.http_port})",
        f"  Directory:  {sandbox.directory} ({fate})",
        f"  Policy:     {policy}",
        "",
        "  Accounts (passwords are for this local server only):",
        *(
            f"    {jid:<{jid_width}}  {password:<{password_width}}  {role}"
            for jid, password, role in rows
        ),
        "",
        f"  Try: supporttray --policy {policy} --profile DIR",
        "",
        "Press Ctrl-C to stop.",
    ]
    print("\n".join(text), file=out, flush=True)


def _article(name: str) -> str:
    return f"an {name}" if name[0].lower() in "aeiou" else f"a {name}"


@contextlib.contextmanager
def _stop_on_signals(stop_requested: threading.Event) -> Iterator[None]:
    """Turn SIGINT/SIGTERM into `stop_requested` so the server is always stopped in order."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals can only be handled in the main thread; the caller sets `stop`
        return

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    previous = {
        signum: signal.signal(signum, request_stop) for signum in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
