"""`supporttray doctor`: what IT (or the user on the phone with IT) checks first.

Each check prints one line, OK / WARN / FAIL, with a sentence; the exit code is 1 if any failed.
The sentences are Sentences: English on the terminal, translated where the Sign-in window's
"Check connection" shows them. What a server, a library or the OS says is quoted verbatim.
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
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from supporttray.app.account import AccountSetup, SetupError, SupportConfig, account_setup
from supporttray.app.findings import Finding
from supporttray.config.mode import Mode, support_mode
from supporttray.config.paths import Paths
from supporttray.config.settings import Settings
from supporttray.core.connection import ConnectionMonitor, ConnectionState
from supporttray.core.own_presence import OwnPresence
from supporttray.core.presence import PresenceBook
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence
from supporttray.service_settings import support_config
from supporttray.xmpp import tls
from supporttray.xmpp.stream_probe import read_until, stream_features

if TYPE_CHECKING:
    from supporttray.xmpp.discovery import ServiceDirectory
    from supporttray.xmpp.staff_room import StaffRoom

TIMEOUT = 10.0


__all__ = ["Finding", "run_doctor", "sign_in_findings"]

Report = Callable[[Finding], None]


def _says(level: str, topic: str, msgid: str, **params: object) -> Finding:
    """A finding whose sentence is `msgid` (marked with N_ by the caller) filled from params."""
    return Finding(level, topic, Sentence(msgid, params))


def _quoted(level: str, topic: str, text: str) -> Finding:
    """A finding that is someone else's words (a backend's name, a library's message)."""
    return Finding(level, topic, Sentence.verbatim(text))


def run_doctor(
    paths: Paths,
    settings: Settings,
    *,
    out: TextIO,
    policy_problem: str | None = None,
    as_json: bool = False,
) -> int:
    """Run every check; print a line each as it finishes (or, `as_json`, one object at the
    end), then each setting's effective value and where it came from. 1 if any failed."""
    from supporttray.diagnostics import doctor_json, effective_settings

    findings: list[Finding] = []

    def report(finding: Finding) -> None:
        findings.append(finding)
        if not as_json:
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
    if as_json:
        out.write(doctor_json(findings, settings) + "\n")
        return 1 if failed else 0
    out.write("\nSettings (effective value, where it came from):\n")
    out.writelines(f"  {row.line()}\n" for row in effective_settings(settings))
    out.write("All checks passed.\n" if not failed else f"{failed} check(s) failed.\n")
    return 1 if failed else 0


def sign_in_findings(settings: Settings, jid: str, password: str) -> list[Finding]:
    """The account, server, TLS and login checks of `doctor` for `jid` and a typed password (the
    Sign-in window's "Check connection"); blocking: run it on a worker thread."""
    findings: list[Finding] = []
    setup = _account_check(replace(support_config(settings), account_jid=jid), findings.append)
    if setup is not None:
        if not password:
            findings.append(_says("WARN", "login", N_("no password typed, so the login itself "
                                                      "was not tried")))
        _reach_checks(settings, setup, password or None, findings.append)
    return findings


def _account_check(config: SupportConfig, report: Report) -> AccountSetup | None:
    try:
        setup = account_setup(config)
    except SetupError as exc:
        report(Finding("FAIL", "account", exc.sentence))
        return None
    report(_says("OK", "account", N_("{jid} ({mode} mode)"), jid=setup.jid, mode=setup.mode))
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
        return _quoted("FAIL", "policy", problem)
    policy = settings.policy
    managed = sorted({policy.origin(key) or "" for key in (*policy.defaults, *policy.enforced)}
                     - {str(policy.source)})
    if managed:  # Group Policy or a configuration profile, with or without a file
        return _says("OK", "policy", N_("{sources}: {locked} locked setting(s), {defaults} "
                                        "default(s)"),
                     sources=", ".join([*_existing_file(policy.source), *managed]),
                     locked=len(policy.enforced), defaults=len(policy.defaults))
    if policy.source is None or not policy.source.exists():
        return _says("OK", "policy", N_("no machine policy file; built-in defaults apply"))
    return _says("OK", "policy", N_("{file}: {locked} locked setting(s), {defaults} default(s)"),
                 file=policy.source, locked=len(policy.enforced), defaults=len(policy.defaults))


def _existing_file(path: Path | None) -> list[str]:
    return [str(path)] if path is not None and path.exists() else []


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
        report(_quoted("WARN" if insecure else "OK", "keyring", backend))
        return None
    try:
        password = store.get(jid)
    except CredentialError as exc:
        report(Finding("FAIL", "keyring", exc.sentence))
        return None
    if password is None:
        report(_says("FAIL", "keyring",
                     N_("no password stored for {jid} in {backend}. Choose “Sign in…” in the "
                        "tray menu, or run: supporttray login {jid}"), jid=jid, backend=backend))
        return None
    if insecure:
        report(_says("WARN", "keyring",
                     N_("password for {jid} found in {backend} (stores passwords unencrypted)"),
                     jid=jid, backend=backend))
    else:
        report(_says("OK", "keyring", N_("password for {jid} found in {backend}"),
                     jid=jid, backend=backend))
    return password


def _server_check(host: str, port: int, report: Report) -> bool:
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT):
            pass
    except OSError as exc:
        report(_says("FAIL", "server",
                     N_("cannot reach {host}:{port}: {reason}. Check the network or the "
                        "policy's server.host / server.port."),
                     host=host, port=port, reason=exc.strerror or exc))
        return False
    report(_says("OK", "server", N_("{host}:{port} accepts connections"), host=host, port=port))
    return True


def _tls_check(host: str, port: int, domain: str, ca_file: str, report: Report) -> bool:
    """STARTTLS by hand, verified like the app verifies: system store plus server.ca_file."""
    try:
        context = tls.client_context(ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        report(_says("FAIL", "tls", N_("cannot read server.ca_file {file}: {reason}"),
                     file=ca_file, reason=exc))
        return False
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT) as raw:
            features = stream_features(raw, domain)
            if b"urn:ietf:params:xml:ns:xmpp-tls" not in features:
                report(_says("FAIL", "tls", N_("{host}:{port} does not offer STARTTLS"),
                             host=host, port=port))
                return False
            raw.sendall(b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")
            if b"<proceed" not in read_until(raw, b"/>"):
                report(_says("FAIL", "tls", N_("the server refused to start TLS")))
                return False
            with context.wrap_socket(raw, server_hostname=domain) as secured:
                cert = secured.getpeercert() or {}
                version = secured.version()
    except ssl.SSLCertVerificationError as exc:
        report(_says("FAIL", "tls",
                     N_("the certificate for {domain} is not trusted ({reason}). Ask IT for the "
                        "right CA (policy key server.ca_file)."),
                     domain=domain, reason=exc.verify_message))
        return False
    except (OSError, ssl.SSLError) as exc:
        report(_says("FAIL", "tls", N_("TLS with {host}:{port} failed: {reason}"),
                     host=host, port=port, reason=exc))
        return False
    expires = cert.get("notAfter", "unknown")
    report(_says("OK", "tls", N_("{version}, certificate for {domain} trusted, valid until "
                                 "{expires}"), version=version, domain=domain, expires=expires))
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
        findings.append(_says("OK", "login", N_("logged in as {jid}"), jid=setup.jid))
        if connection.services is not None:
            findings.append(await _services_finding(connection.services,
                                                    staff=setup.mode is Mode.STAFF))
        if setup.mode is Mode.STAFF:
            findings.append(await _staff_room_finding(room))
    else:
        error = status.error or Sentence(N_("no answer from the server in time"))
        findings.append(Finding("FAIL", "login", error if isinstance(error, Sentence)
                                else Sentence.verbatim(error)))
    await connection.stop()
    return findings


async def _services_finding(services: ServiceDirectory, *, staff: bool) -> Finding:
    """What the server offers, found by discovery as the app finds it."""
    from supporttray.xmpp.discovery import MUC, UPLOAD

    muc, upload, archives = await asyncio.gather(
        services.find(MUC), services.find(UPLOAD), services.archives())
    none = Sentence(N_("none"))
    found = {
        "muc": muc.jid or none, "upload": upload.jid or none,
        "archive": Sentence({True: N_("yes"), False: N_("no"), None: N_("unknown")}[archives]),
    }
    text = Sentence(N_("group chat {muc}, file upload {upload}, message archive {archive}"),
                    found)
    if staff and not muc.jid:
        return _says("WARN", "services",
                     N_("{services}: {reason}, so the staff room cannot exist and claims stay on "
                        "each computer"), services=text, reason=muc.reason or "")
    return Finding("OK", "services", text)


async def _staff_room_finding(room: StaffRoom | None) -> Finding:
    if room is None:
        return _says("OK", "staff-room", N_("off: claims stay on each computer"))
    settled = asyncio.Event()
    room.changed.subscribe(lambda _status: settled.set())
    if not (room.status.joined or room.status.error):
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(settled.wait(), TIMEOUT)
    status = room.status
    if status.joined:
        return _says("OK", "staff-room", N_("{room}: requests and claims are shared"),
                     room=status.jid)
    if status.error:
        return Finding("WARN", "staff-room", status.error)
    return _says("WARN", "staff-room", N_("{room} did not answer in time"), room=status.jid)


def _idle_finding(settings: Settings) -> Finding:
    """Auto-away needs the desktop's idle time; say where it comes from, or that it cannot."""
    from supporttray.platform.desktop_idle import desktop_idle

    away = settings.get_int("presence.auto_away_minutes")
    xa = settings.get_int("presence.auto_xa_minutes")
    if away == 0 and xa == 0:
        return _says("OK", "idle", N_("auto-away is turned off by the settings"))
    idle = desktop_idle()
    if idle.read is None or idle.read() is None:
        return _quoted("WARN", "idle", idle.description)
    return _says("OK", "idle", N_("auto-away after {away} min, extended away after {xa} min "
                                  "(idle time from the {source}; staff mode only)"),
                 away=away, xa=xa, source=idle.description)


def _on_call_finding(settings: Settings, now: datetime | None = None) -> Finding:
    """On-call hours as the app reads them, and whether they hold now (local time)."""
    from supporttray.service_settings import OnCallSettingError, on_call_hours

    try:
        hours = on_call_hours(settings)
    except OnCallSettingError as exc:
        return _says("FAIL", "on-call", N_("{problem} On-call hours stay off until it is fixed."),
                     problem=exc)
    if hours is None:
        return _says("OK", "on-call", N_("off"))
    moment = now or datetime.now(UTC)
    if support_mode(settings) is Mode.STAFF:
        return _says("OK", "on-call", N_("{hours} ({now})"), hours=hours.text,
                     now=hours.describe_now(moment))
    return _says("OK", "on-call", N_("{hours} ({now}; staff mode only)"), hours=hours.text,
                 now=hours.describe_now(moment))


def _history_finding(paths: Paths) -> Finding:
    """Where the chat history is, and earlier ones start-up could not use and set aside."""
    from supporttray.core.history_file import set_aside_histories

    path = paths.history_db
    aside = set_aside_histories(path)
    where = (Sentence.verbatim(str(path)) if path.exists()
             else Sentence(N_("{file} (not created yet)"), {"file": path}))
    if not aside:
        return Finding("OK", "history", where)
    return _says("WARN", "history", N_(
        "{where}; {count} earlier history file(s) could not be opened and were set aside "
        "beside it (newest: {newest}; its name says why, the log of that start says more). "
        "They are kept until you delete them."), where=where, count=len(aside),
        newest=aside[0].name)


def _branding_icon_finding(path: str) -> Finding:
    """Whether `branding.icon` can be shown; read by Qt, as the app reads it, in a child."""
    probe = ("import json, os, sys; os.environ.setdefault('QT_QPA_PLATFORM', 'offscreen');"
             "from PySide6.QtGui import QGuiApplication; app = QGuiApplication([]);"
             "from supporttray.ui.icons import load_brand_icon;"
             "image, problem = load_brand_icon(sys.argv[1]);"
             "print('icon=' + json.dumps(problem))")
    answer = _ask_qt(probe, r"icon=(.*)", path)
    if isinstance(answer, Sentence):
        return _says("WARN", "branding", N_("could not check branding.icon: {reason}"),
                     reason=answer)
    problem = json.loads(answer.group(1))
    if problem is None:
        return _says("OK", "branding", N_("icon {file}"), file=path)
    return _quoted("WARN", "branding", str(problem))


def _tray_finding() -> Finding:
    """Asked in a child process: without a display Qt aborts the whole process."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        return _says("WARN", "tray", N_("no graphical session (DISPLAY/WAYLAND_DISPLAY unset); "
                                        "the app needs a desktop"))
    probe = ("from PySide6.QtWidgets import QApplication, QSystemTrayIcon;"
             "app = QApplication([]);"
             "print('tray=' + str(QSystemTrayIcon.isSystemTrayAvailable()))")
    answer = _ask_qt(probe, r"tray=(True|False)")
    if isinstance(answer, Sentence):
        return Finding("WARN", "tray", answer)
    if answer.group(1) == "True":
        return _says("OK", "tray", N_("a system tray is available"))
    return _says("WARN", "tray", N_("no system tray on this desktop; SupportTray shows a small "
                                    "window instead (on GNOME, install the AppIndicator "
                                    "extension)"))


def _network_finding() -> Finding:
    """Whether the app hears the network come back and the machine wake (else it waits out its
    back-off, up to a minute): asked in a child process, as the app would set it up."""
    probe = ("from PySide6.QtCore import QCoreApplication;"
             "app = QCoreApplication([]);"
             "import asyncio;"
             "from supporttray.platform.network_watch import NetworkWatch;"
             "print('watch=' + asyncio.run(NetworkWatch.describe()))")
    answer = _ask_qt(probe, r"watch=(.*)")
    if isinstance(answer, Sentence):
        return Finding("WARN", "network", answer)
    watched = answer.group(1).strip()
    if "not reported" in watched:
        return _says("WARN", "network", N_("{watch}: after a network change the app reconnects "
                                           "on its back-off (up to a minute)"), watch=watched)
    return _says("OK", "network", N_("reconnects at once on {watch}"), watch=watched)


def _ask_qt(probe: str, answer: str, *args: str) -> re.Match[str] | Sentence:
    """Run `probe` in a child Python (Qt may abort a whole process) with `args` in its argv;
    the match of `answer` in what it printed, or a sentence saying why there is none."""
    try:
        result = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True,
                                text=True,
                                timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Sentence(N_("could not ask Qt: {reason}"), {"reason": exc})
    match = re.search(answer, result.stdout)
    if match is None:
        reason = (result.stderr.strip().splitlines() or ["unknown reason"])[-1]
        return Sentence(N_("Qt could not start here: {reason}"), {"reason": reason})
    return match
