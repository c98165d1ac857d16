"""`supporttray doctor`: what IT (or the user on the phone with IT) checks first.

Each check prints one line, OK / WARN / FAIL, with a sentence; the exit code is 1 if any failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import socket
import ssl
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from supporttray.app.account import AccountSetup, SetupError, SupportConfig, account_setup
from supporttray.app.findings import Finding
from supporttray.config.mode import Mode, support_mode
from supporttray.config.paths import Paths
from supporttray.config.settings import Settings
from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import PresenceBook
from supporttray.service_settings import support_config
from supporttray.xmpp import tls
from supporttray.xmpp.stream_probe import read_until, stream_features

if TYPE_CHECKING:
    from supporttray.xmpp.discovery import ServiceDirectory
    from supporttray.xmpp.staff_room import StaffRoom

TIMEOUT = 10.0


__all__ = ["Finding", "run_doctor", "sign_in_findings"]

Report = Callable[[Finding], None]


def run_doctor(
    paths: Paths,
    settings: Settings,
    *,
    out: TextIO,
    policy_problem: str | None = None,
) -> int:
    findings: list[Finding] = []

    def report(finding: Finding) -> None:
        findings.append(finding)
        out.write(f"{finding.level:<5} {finding.topic:<9} {finding.sentence}\n")
        out.flush()

    report(_policy_finding(settings, policy_problem))
    setup = _account_check(support_config(settings), report)
    password = _keyring_check(setup.jid if setup else None, report)
    if setup is not None:
        _reach_checks(settings, setup, password, report)
    report(_tray_finding())
    report(_network_finding())
    report(_idle_finding(settings))
    report(_on_call_finding(settings))
    report(_history_finding(paths))
    if settings.get_str("branding.icon"):
        report(_branding_icon_finding(settings.get_str("branding.icon")))
    failed = sum(1 for f in findings if f.level == "FAIL")
    out.write("All checks passed.\n" if not failed else f"{failed} check(s) failed.\n")
    return 1 if failed else 0


def sign_in_findings(settings: Settings, jid: str, password: str) -> list[Finding]:
    """The account, server, TLS and login checks of `doctor` for `jid` and a typed password (the
    Sign-in window's "Check connection"); blocking: run it on a worker thread."""
    findings: list[Finding] = []
    setup = _account_check(replace(support_config(settings), account_jid=jid), findings.append)
    if setup is not None:
        if not password:
            findings.append(Finding("WARN", "login", "no password typed, so the login itself "
                                                     "was not tried"))
        _reach_checks(settings, setup, password or None, findings.append)
    return findings


def _account_check(config: SupportConfig, report: Report) -> AccountSetup | None:
    try:
        setup = account_setup(config)
    except SetupError as exc:
        report(Finding("FAIL", "account", str(exc)))
        return None
    report(Finding("OK", "account", f"{setup.jid} ({setup.mode} mode)"))
    return setup


def _reach_checks(settings: Settings, setup: AccountSetup, password: str | None,
                  report: Report) -> None:
    """Server reachable, TLS trusted, then (with a password) the login itself."""
    reachable = _server_check(setup.endpoint.host or setup.endpoint.domain,
                              setup.endpoint.port, report)
    if reachable and not setup.endpoint.direct_tls:
        tls_ok = _tls_check(setup.endpoint.host or setup.endpoint.domain,
                            setup.endpoint.port, setup.endpoint.domain,
                            str(setup.endpoint.ca_file or ""), report)
        if tls_ok and password is not None:
            for finding in asyncio.run(_login_check(settings, setup, password)):
                report(finding)


def _policy_finding(settings: Settings, problem: str | None) -> Finding:
    if problem:
        return Finding("FAIL", "policy", problem)
    policy = settings.policy
    if policy.source is None or not policy.source.exists():
        return Finding("OK", "policy", "no machine policy file; built-in defaults apply")
    return Finding("OK", "policy", f"{policy.source}: {len(policy.enforced)} locked setting(s), "
                                   f"{len(policy.defaults)} default(s)")


def _keyring_check(jid: str | None, report: Report) -> str | None:
    # Here, not at the top: the tray imports this module for "Check connection", and keyring
    # costs it megabytes it otherwise never loads (see config/password_source).
    from supporttray.config.credentials import CredentialError, CredentialStore

    store = CredentialStore()
    problem = store.check()
    if problem:
        report(Finding("FAIL", "keyring", problem))
        return None
    backend = store.backend_name()
    insecure = "plaintext" in backend.lower() or "keyrings.alt" in backend
    if jid is None:
        report(Finding("WARN" if insecure else "OK", "keyring", backend))
        return None
    try:
        password = store.get(jid)
    except CredentialError as exc:
        report(Finding("FAIL", "keyring", str(exc)))
        return None
    if password is None:
        report(Finding("FAIL", "keyring",
                       f"no password stored for {jid} in {backend}. Choose “Sign in…” in the "
                       f"tray menu, or run: supporttray login {jid}"))
        return None
    level = "WARN" if insecure else "OK"
    note = " (stores passwords unencrypted)" if insecure else ""
    report(Finding(level, "keyring", f"password for {jid} found in {backend}{note}"))
    return password


def _server_check(host: str, port: int, report: Report) -> bool:
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT):
            pass
    except OSError as exc:
        report(Finding("FAIL", "server", f"cannot reach {host}:{port}: "
                                         f"{exc.strerror or exc}. Check the network or the "
                                         "policy's server.host / server.port."))
        return False
    report(Finding("OK", "server", f"{host}:{port} accepts connections"))
    return True


def _tls_check(host: str, port: int, domain: str, ca_file: str, report: Report) -> bool:
    """STARTTLS by hand, verified like the app verifies: system store plus server.ca_file."""
    try:
        context = tls.client_context(ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        report(Finding("FAIL", "tls", f"cannot read server.ca_file {ca_file}: {exc}"))
        return False
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT) as raw:
            features = stream_features(raw, domain)
            if b"urn:ietf:params:xml:ns:xmpp-tls" not in features:
                report(Finding("FAIL", "tls", f"{host}:{port} does not offer STARTTLS"))
                return False
            raw.sendall(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
            if b"<proceed" not in read_until(raw, b"/>"):
                report(Finding("FAIL", "tls", "the server refused to start TLS"))
                return False
            with context.wrap_socket(raw, server_hostname=domain) as secured:
                cert = secured.getpeercert() or {}
                version = secured.version()
    except ssl.SSLCertVerificationError as exc:
        report(Finding("FAIL", "tls", f"the certificate for {domain} is not trusted "
                                      f"({exc.verify_message}). Ask IT for the right CA "
                                      "(policy key server.ca_file)."))
        return False
    except (OSError, ssl.SSLError) as exc:
        report(Finding("FAIL", "tls", f"TLS with {host}:{port} failed: {exc}"))
        return False
    expires = cert.get("notAfter", "unknown")
    report(Finding("OK", "tls", f"{version}, certificate for {domain} trusted, valid until "
                                f"{expires}"))
    return True


async def _login_check(settings: Settings, setup: AccountSetup,
                       password: str) -> list[Finding]:
    """Log in; in staff mode also join the staff room (the team's shared queue)."""
    from supporttray.app.request_desk import staff_room_for
    from supporttray.core.requests import RequestQueue
    from supporttray.xmpp.connection import XmppConnection

    room = (staff_room_for(settings.get_str("support.staff_room"), setup.jid, RequestQueue(),
                           staff=lambda: list(setup.directory.staff))
            if setup.mode is Mode.STAFF else None)
    monitor = ConnectionMonitor()
    done = asyncio.Event()
    monitor.changed.subscribe(
        lambda s: done.set() if s.state in (ConnectionState.ONLINE, ConnectionState.ERROR)
        else None
    )
    connection = XmppConnection(setup.jid, password, setup.endpoint, setup.directory,
                                PresenceBook(), monitor, OwnPresence(), staff_room=room)
    await connection.start()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(done.wait(), TIMEOUT)
    status = monitor.status
    findings = []
    if status.state is ConnectionState.ONLINE:
        findings.append(Finding("OK", "login", f"logged in as {setup.jid}"))
        if connection.services is not None:
            findings.append(await _services_finding(connection.services,
                                                    staff=setup.mode is Mode.STAFF))
        if setup.mode is Mode.STAFF:
            findings.append(await _staff_room_finding(room))
    else:
        findings.append(Finding("FAIL", "login",
                                str(status.error or "no answer from the server in time")))
    await connection.stop()
    return findings


async def _services_finding(services: ServiceDirectory, *, staff: bool) -> Finding:
    """What the server offers, found by discovery as the app finds it."""
    from supporttray.xmpp.discovery import MUC, UPLOAD

    muc, upload, archives = await asyncio.gather(
        services.find(MUC), services.find(UPLOAD), services.archives())
    parts = [f"group chat {muc.jid or 'none'}", f"file upload {upload.jid or 'none'}",
             "message archive " + {True: "yes", False: "no", None: "unknown"}[archives]]
    text = ", ".join(parts)
    if staff and not muc.jid:
        return Finding("WARN", "services", f"{text}: {muc.reason}, so the staff room cannot "
                                           "exist and claims stay on each computer")
    return Finding("OK", "services", text)


async def _staff_room_finding(room: StaffRoom | None) -> Finding:
    if room is None:
        return Finding("OK", "staff-room", "off: claims stay on each computer")
    settled = asyncio.Event()
    room.changed.subscribe(lambda _status: settled.set())
    if not (room.status.joined or room.status.error):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(settled.wait(), TIMEOUT)
    status = room.status
    if status.joined:
        return Finding("OK", "staff-room", f"{status.jid}: requests and claims are shared")
    return Finding("WARN", "staff-room",
                   status.error or f"{status.jid} did not answer in time")


def _idle_finding(settings: Settings) -> Finding:
    """Auto-away needs the desktop's idle time; say where it comes from, or that it cannot."""
    from supporttray.platform.desktop_idle import desktop_idle

    away = settings.get_int("presence.auto_away_minutes")
    xa = settings.get_int("presence.auto_xa_minutes")
    if away == 0 and xa == 0:
        return Finding("OK", "idle", "auto-away is turned off by the settings")
    idle = desktop_idle()
    if idle.read is None or idle.read() is None:
        return Finding("WARN", "idle", idle.description)
    return Finding("OK", "idle", f"auto-away after {away} min, extended away after {xa} min "
                                 f"(idle time from the {idle.description}; staff mode only)")


def _on_call_finding(settings: Settings, now: datetime | None = None) -> Finding:
    """On-call hours as the app reads them, and whether they hold now (local time)."""
    from supporttray.service_settings import OnCallSettingError, on_call_hours

    try:
        hours = on_call_hours(settings)
    except OnCallSettingError as exc:
        return Finding("FAIL", "on-call", f"{exc} On-call hours stay off until it is fixed.")
    if hours is None:
        return Finding("OK", "on-call", "off")
    staff_only = "" if support_mode(settings) is Mode.STAFF else "; staff mode only"
    moment = now or datetime.now(UTC)
    return Finding("OK", "on-call", f"{hours.text} ({hours.describe_now(moment)}{staff_only})")


def _history_finding(paths: Paths) -> Finding:
    """Where the chat history is, and earlier ones start-up could not use and set aside."""
    from supporttray.core.history_file import set_aside_histories

    path = paths.history_db
    aside = set_aside_histories(path)
    where = str(path) if path.exists() else f"{path} (not created yet)"
    if not aside:
        return Finding("OK", "history", where)
    return Finding("WARN", "history", (
        f"{where}; {len(aside)} earlier history file(s) could not be opened and were set aside "
        f"beside it (newest: {aside[0].name}; its name says why, the log of that start says "
        "more). They are kept until you delete them."
    ))


def _branding_icon_finding(path: str) -> Finding:
    """Whether `branding.icon` can be shown; read by Qt, as the app reads it, in a child."""
    probe = ("import json, os, sys; os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen');"
             "from PySide6.QtGui import QGuiApplication; app = QGuiApplication([]);"
             "from supporttray.ui.icons import load_brand_icon;"
             "image, problem = load_brand_icon(sys.argv[1]);"
             "print('icon=' + json.dumps(problem))")
    answer = _ask_qt(probe, r"icon=(.*)", path)
    if isinstance(answer, str):
        return Finding("WARN", "branding", f"could not check branding.icon: {answer}")
    problem = json.loads(answer.group(1))
    if problem is None:
        return Finding("OK", "branding", f"icon {path}")
    return Finding("WARN", "branding", str(problem))


def _tray_finding() -> Finding:
    """Asked in a child process: without a display Qt aborts the whole process."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        return Finding("WARN", "tray", "no graphical session (DISPLAY/WAYLAND_DISPLAY unset); "
                                       "the app needs a desktop")
    probe = ("from PySide6.QtWidgets import QApplication, QSystemTrayIcon;"
             "app = QApplication([]);"
             "print('tray=' + str(QSystemTrayIcon.isSystemTrayAvailable()))")
    answer = _ask_qt(probe, r"tray=(True|False)")
    if isinstance(answer, str):
        return Finding("WARN", "tray", answer)
    if answer.group(1) == "True":
        return Finding("OK", "tray", "a system tray is available")
    return Finding("WARN", "tray", "no system tray on this desktop; SupportTray shows a small "
                                   "window instead (on GNOME, install the AppIndicator extension)")


def _network_finding() -> Finding:
    """Whether the app hears the network come back and the machine wake (else it waits out its
    back-off, up to a minute): asked in a child process, as the app would set it up."""
    probe = ("from PySide6.QtCore import QCoreApplication;"
             "app = QCoreApplication([]);"
             "import asyncio;"
             "from supporttray.platform.network_watch import NetworkWatch;"
             "print('watch=' + asyncio.run(NetworkWatch.describe()))")
    answer = _ask_qt(probe, r"watch=(.*)")
    if isinstance(answer, str):
        return Finding("WARN", "network", answer)
    watched = answer.group(1).strip()
    if "not reported" in watched:
        return Finding("WARN", "network", f"{watched}: after a network change the app "
                                          "reconnects on its back-off (up to a minute)")
    return Finding("OK", "network", f"reconnects at once on {watched}")


def _ask_qt(probe: str, answer: str, *args: str) -> re.Match[str] | str:
    """Run `probe` in a child Python (Qt may abort a whole process) with `args` in its argv;
    the match of `answer` in what it printed, or a sentence saying why there is none."""
    try:
        result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True,
                                text=True,
                                timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"could not ask Qt: {exc}"
    match = re.search(answer, result.stdout)
    if match is None:
        reason = (result.stderr.strip().splitlines() or ["unknown reason"])[-1]
        return f"Qt could not start here: {reason}"
    return match
