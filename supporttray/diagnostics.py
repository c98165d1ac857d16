"""What IT reads about one installation: every setting's effective value and where it came
from, `doctor --json`, and the redacted report "Copy diagnostics" puts on the clipboard.

Nothing here may carry a password or a message's text: settings hold neither (passwords live
in the keyring, messages in the history), and the log lines the report quotes pass through
`redact_line`, which removes what looks like either should a log line ever hold one.
"""

from __future__ import annotations

import json
import platform
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from supporttray import __version__
from supporttray.app.findings import Finding
from supporttray.config.paths import Paths
from supporttray.config.schema import FAMILIES, KEYS
from supporttray.config.settings import Settings, Source

# What IT can do about a check that did not pass; said in `doctor --json` ("hint").
HINTS = {
    "policy": "Fix the policy named in the sentence (file, registry key or managed "
              "preferences); the app does not start with a policy it cannot use.",
    "account": "Set account.jid or account.jid_template in the policy, or sign in from the "
               "tray menu.",
    "keyring": "Sign in from the tray menu or run `supporttray login JID`; on Linux a Secret "
               "Service (GNOME Keyring, KWallet) must run in the session.",
    "server": "Check the network and firewall, and the policy's server.host and server.port.",
    "tls": "Give the server's CA certificate as server.ca_file in the policy.",
    "login": "Store the right password (`supporttray login JID`) and check that the account "
             "exists on the server.",
    "services": "Ask the server's administrator to enable group chat (MUC) and HTTP upload.",
    "staff-room": "Let staff accounts join the staff room (members-only), or set "
                  "support.staff_room = \"off\".",
    "tray": "Run the app in a desktop session with a system tray (on GNOME, the AppIndicator "
            "extension).",
    "network": "With NetworkManager (Linux) the app reconnects as soon as the network is back.",
    "idle": "Auto-away needs the desktop's idle time (GNOME, KDE or an X11 screensaver).",
    "on-call": "Fix presence.on_call_hours, e.g. \"Mon-Fri 08:00-18:00\".",
    "history": "Delete the set-aside history files once nobody needs them.",
    "branding": "Give branding.icon an SVG or PNG file every user can read.",
}

_WHERE = {"default": "built-in default", "user": "user settings",
          "policy-default": "policy default", "policy-enforced": "enforced by policy"}


@dataclass(frozen=True)
class SettingValue:
    """One key's effective value, the layer it comes from, and where that layer was written
    (the policy file, a registry key, a managed preference domain, the user's settings file)."""

    key: str
    value: object
    source: Source
    origin: str | None

    def line(self) -> str:
        where = _WHERE[self.source] + (f": {self.origin}" if self.origin else "")
        return f"{self.key} = {_shown(self.value)}  ({where})"

    def as_json(self) -> dict[str, object]:
        return {"key": self.key, "value": _jsonable(self.value), "source": self.source,
                "origin": self.origin}


def effective_settings(settings: Settings) -> list[SettingValue]:
    """Every key, in the schema's order, then each member of a key family (a saved group),
    with its value and its provenance."""
    rows = []
    members = [f"{family}.{name}" for family in FAMILIES for name in settings.get_family(family)]
    for key in (*KEYS, *members):
        source = settings.source(key)
        if source in ("policy-default", "policy-enforced"):
            origin = settings.policy.origin(key)
        elif source == "user":
            origin = str(settings.path) if settings.path else None
        else:
            origin = None
        rows.append(SettingValue(key, settings.get(key), source, origin))
    return rows


def doctor_json(findings: Sequence[Finding], settings: Settings) -> str:
    """`doctor --json`: one object; checks in the order they ran; hints for those not OK."""
    failed = sum(1 for finding in findings if finding.level == "FAIL")
    document = {
        "version": __version__,
        "ok": failed == 0,
        "failed": failed,
        "checks": [
            {"id": finding.topic, "verdict": finding.level, "sentence": str(finding.sentence),
             "hint": None if finding.level == "OK" else HINTS.get(finding.topic)}
            for finding in findings
        ],
        "settings": [row.as_json() for row in effective_settings(settings)],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


# -- the report "Copy diagnostics" copies -------------------------------------------------

LOG_LINES = 60
# A log line never should hold these; if one does, its value goes, not the line.
_SECRET = re.compile(r"(?i)\b(password|passwd|pwd|secret|token|authorization)\b(\s*[=:]\s*|\s+)\S+")
_BODY = re.compile(r"(?is)<body>.*?</body>|\bbody\s*=\s*(['\"]).*?\1|\bbody\s*=\s*\S+")
_SASL = re.compile(r"(?s)<(auth|response|success|challenge)\b[^>]*>[^<]*</\1>")


def redact_line(line: str) -> str:
    """A log line without anything that looks like a password, a message body or a SASL
    exchange (the log is written not to contain them: this is the second lock)."""
    line = _SASL.sub(lambda m: f"<{m.group(1)}>[redacted]</{m.group(1)}>", line)
    line = _BODY.sub("body=[redacted]", line)
    return _SECRET.sub(lambda m: f"{m.group(1)}=[redacted]", line)


def diagnostics_report(
    paths: Paths, settings: Settings, *, connection: str, extra: Iterable[str] = (),
    now: datetime | None = None,
) -> str:
    """The text "Copy diagnostics" copies: versions, connection, settings with provenance and
    the end of the log, redacted. `connection` is what the tray shows of the connection."""
    moment = (now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%SZ")
    lines = [
        f"SupportTray {__version__} diagnostics, {moment}",
        f"System: {platform.platform()}; Python {platform.python_version()}"
        f"{'; frozen build' if getattr(sys, 'frozen', False) else ''}; Qt {_qt_version()}",
        f"Connection: {connection}",
        *extra,
        f"Log file: {paths.log_file}",
        "",
        "Settings (effective value, where it came from):",
        *(f"  {row.line()}" for row in effective_settings(settings)),
        "",
        f"Log (last {LOG_LINES} lines, redacted):",
        *(f"  {redact_line(line)}" for line in _log_tail(paths.log_file, LOG_LINES)),
    ]
    return "\n".join(lines) + "\n"


def _log_tail(path: Path, count: int) -> list[str]:
    try:
        with path.open("rb") as stream:
            stream.seek(0, 2)
            stream.seek(max(0, stream.tell() - 256 * 1024))
            text = stream.read().decode("utf-8", "replace")
    except OSError as exc:
        return [f"(cannot read the log: {exc.strerror or exc})"]
    return text.splitlines()[-count:]


def _qt_version() -> str:
    qtcore = sys.modules.get("PySide6.QtCore")  # only if the app loaded Qt: never load it here
    return str(qtcore.qVersion()) if qtcore is not None else "not loaded"


def _shown(value: object) -> str:
    return json.dumps(_jsonable(value), ensure_ascii=False)


def _jsonable(value: Any) -> object:
    if isinstance(value, tuple | list):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value
