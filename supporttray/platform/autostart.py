"""`app.autostart`: the per-user entry that starts SupportTray in the tray at login.

One writer per platform: an XDG autostart `.desktop` file (Linux and the BSDs), a value under
`HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run` (Windows), a LaunchAgent plist
(macOS). The entry starts a plain `supporttray`: the user's normal profile and the machine
policy at its platform location, which is what IT installed; a `--profile` or `--policy` given
to one run is a test or a demo, not what should start at every login.

Applied at every start from the effective setting, so a policy that changes is followed at the
next start, and an entry someone deleted comes back while the policy says it should.
"""

from __future__ import annotations

import importlib
import logging
import os
import plistlib
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from supporttray.config.atomic_file import write_atomically

log = logging.getLogger("supporttray.platform")

ENTRY_NAME: Final = "supporttray"
LAUNCH_AGENT_LABEL: Final = "org.supporttray.SupportTray"
RUN_KEY: Final = r"Software\Microsoft\Windows\CurrentVersion\Run"


class AutostartError(Exception):
    """The entry could not be written or removed; `str()` says where and what to do."""


class AutostartEntry(Protocol):
    """Where one platform keeps the entry; `describe()` names it for the log and doctor."""

    def read(self) -> str | None: ...
    def write(self, command: Sequence[str], name: str) -> None: ...
    def remove(self) -> None: ...
    def describe(self) -> str: ...


def start_command(*, frozen: bool | None = None, executable: str | None = None,
                  argv0: str | None = None) -> list[str]:
    """What the entry runs: the installed `supporttray`, else this Python with `-m supporttray`
    (a checkout), else the frozen build's executable; an absolute path, since a login session's
    PATH may lack the directory it was installed in."""
    executable = executable or sys.executable
    if frozen if frozen is not None else getattr(sys, "frozen", False):
        return [executable]
    script = Path(argv0 if argv0 is not None else sys.argv[0])
    if script.name in ("supporttray", "supporttray.exe") and script.is_file():
        return [str(script.resolve())]
    found = shutil.which("supporttray")
    if found:
        return [str(Path(found).resolve())]
    return [executable, "-m", "supporttray"]


# -- XDG (Linux, BSD) ---------------------------------------------------------------------------


def desktop_entry(command: Sequence[str], name: str) -> str:
    """The autostart `.desktop` file (valid for `desktop-file-validate`)."""
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        f"Name={_desktop_string(name)}",
        f"Comment={_desktop_string(f'Starts {name} in the system tray at login')}",
        f"Exec={_desktop_string(' '.join(_exec_argument(arg) for arg in command))}",
        "Icon=supporttray",
        "Terminal=false",
        # Only for autostart: it has no place in the applications menu.
        "NoDisplay=true",
        "X-GNOME-Autostart-enabled=true",
        "",
    ])


def _exec_argument(arg: str) -> str:
    # The Desktop Entry spec: an argument with a reserved character is double-quoted, and
    # inside the quotes ", `, $ and \ take a backslash; % is doubled (a field code otherwise).
    arg = arg.replace("%", "%%")
    if arg and not any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`"):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'


def _desktop_string(text: str) -> str:
    # The spec's string escapes; a value is one line.
    return (text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            .replace("\r", "\\r"))


@dataclass(frozen=True)
class XdgAutostart:
    """`$XDG_CONFIG_HOME/autostart/supporttray.desktop`."""

    directory: Path

    @property
    def path(self) -> Path:
        return self.directory / f"{ENTRY_NAME}.desktop"

    def read(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    def write(self, command: Sequence[str], name: str) -> None:
        write_atomically(self.path, desktop_entry(command, name))

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def describe(self) -> str:
        return str(self.path)


def xdg_autostart_dir(environ: Mapping[str, str]) -> Path:
    config_home = environ.get("XDG_CONFIG_HOME", "").strip()
    # The spec: a relative XDG_CONFIG_HOME is invalid and ignored.
    if not config_home or not Path(config_home).is_absolute():
        config_home = str(Path(environ.get("HOME") or Path.home()) / ".config")
    return Path(config_home) / "autostart"


# -- macOS --------------------------------------------------------------------------------------


def launch_agent(command: Sequence[str]) -> bytes:
    """The LaunchAgent plist: run once at login, in the user's GUI session, never restarted
    by launchd (Quit means quit)."""
    return plistlib.dumps({
        "Label": LAUNCH_AGENT_LABEL,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "KeepAlive": False,
        "LimitLoadToSessionType": "Aqua",
        "ProcessType": "Interactive",
    })


@dataclass(frozen=True)
class MacLaunchAgent:
    """`~/Library/LaunchAgents/org.supporttray.SupportTray.plist`."""

    directory: Path

    @property
    def path(self) -> Path:
        return self.directory / f"{LAUNCH_AGENT_LABEL}.plist"

    def read(self) -> str | None:
        try:
            return self.path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            return None

    def write(self, command: Sequence[str], name: str) -> None:
        # The name is not shown anywhere for a LaunchAgent; the label identifies it.
        write_atomically(self.path, launch_agent(command).decode("utf-8"))

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)

    def describe(self) -> str:
        return str(self.path)


# -- Windows ------------------------------------------------------------------------------------


class RunKey(Protocol):
    """The values of HKCU's Run key: the one thing the Windows writer needs of the registry."""

    def get(self, name: str) -> str | None: ...
    def set(self, name: str, value: str) -> None: ...
    def delete(self, name: str) -> None: ...


class WinregRunKey:  # pragma: no cover - needs Windows; the writer is tested with a fake RunKey
    """HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run through winreg."""

    def get(self, name: str) -> str | None:
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
                value, _kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return str(value)

    def set(self, name: str, value: str) -> None:
        winreg = _winreg()
        with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, RUN_KEY, 0,
                                winreg.KEY_SET_VALUE) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> None:
        winreg = _winreg()
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0,
                                winreg.KEY_SET_VALUE) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            pass


def _winreg() -> Any:
    # Imported by name: mypy on Linux and macOS knows winreg only as a module without members.
    return importlib.import_module("winreg")


def windows_command_line(command: Sequence[str]) -> str:
    """One command line as Windows parses it (quotes where needed)."""
    import subprocess

    return subprocess.list2cmdline(list(command))


@dataclass(frozen=True)
class WindowsRunEntry:
    """The value `SupportTray` under HKCU's Run key."""

    key: RunKey

    def read(self) -> str | None:
        return self.key.get(_RUN_VALUE)

    def write(self, command: Sequence[str], name: str) -> None:
        self.key.set(_RUN_VALUE, windows_command_line(command))

    def remove(self) -> None:
        self.key.delete(_RUN_VALUE)

    def describe(self) -> str:
        return f"HKCU\\{RUN_KEY}\\{_RUN_VALUE}"


# A fixed value name, not branding.name: a renamed brand must still find (and remove) its entry.
_RUN_VALUE: Final = "SupportTray"


# -- choosing and applying ----------------------------------------------------------------------


def autostart_entry(platform: str | None = None,
                    environ: Mapping[str, str] | None = None) -> AutostartEntry:
    """The entry for this platform (tests pass another platform and environment)."""
    platform = platform or sys.platform
    environ = os.environ if environ is None else environ
    if platform == "win32":
        return WindowsRunEntry(WinregRunKey())
    if platform == "darwin":
        home = Path(environ.get("HOME") or Path.home())
        return MacLaunchAgent(home / "Library" / "LaunchAgents")
    return XdgAutostart(xdg_autostart_dir(environ))


def expected_content(entry: AutostartEntry, command: Sequence[str], name: str) -> str:
    """What `entry.read()` returns once `write(command, name)` has run."""
    if isinstance(entry, XdgAutostart):
        return desktop_entry(command, name)
    if isinstance(entry, MacLaunchAgent):
        return launch_agent(command).decode("utf-8")
    return windows_command_line(command)


def apply_autostart(entry: AutostartEntry, enabled: bool, command: Sequence[str],
                    name: str) -> str:
    """Write or remove the entry as `enabled` says; a sentence for the log. Writes only when
    the content differs, so a start does not touch the file for nothing.

    AutostartError (a sentence naming the place) when the entry cannot be changed.
    """
    where = entry.describe()
    try:
        current = entry.read()
        if not enabled:
            if current is None:
                return "autostart is off; there is no entry"
            entry.remove()
            return f"autostart is off; removed {where}"
        if current == expected_content(entry, command, name):
            return f"autostart is on ({where})"
        entry.write(command, name)
        return f"autostart is on; wrote {where}"
    except OSError as exc:
        action = "write" if enabled else "remove"
        raise AutostartError(
            f"could not {action} the autostart entry {where}: {exc.strerror or exc}. Check that "
            "you may write there, or ask IT to set app.autostart in the policy."
        ) from exc
