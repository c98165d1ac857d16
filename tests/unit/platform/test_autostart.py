"""`app.autostart`'s three writers: the XDG entry as `desktop-file-validate` judges it, the
LaunchAgent's content, the Run key's value through a fake registry; and apply_autostart's
write / keep / remove decisions."""

from __future__ import annotations

import plistlib
import shutil
import subprocess
from pathlib import Path

import pytest

from supporttray.platform.autostart import (
    LAUNCH_AGENT_LABEL,
    AutostartError,
    MacLaunchAgent,
    WindowsRunEntry,
    XdgAutostart,
    apply_autostart,
    autostart_entry,
    start_command,
    xdg_autostart_dir,
)

AWKWARD = ["/opt/My Apps/supporttray", "100%", 'quote" dollar$ back\\slash']


def validate_desktop_file(path: Path) -> None:
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.fail("desktop-file-validate is missing: scripts/bootstrap installs "
                    "desktop-file-utils")
    done = subprocess.run([validator, str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


@pytest.mark.parametrize("command", [["/usr/bin/supporttray"], AWKWARD])
def test_the_xdg_entry_is_a_valid_desktop_file_that_starts_the_app(
    tmp_path: Path, command: list[str]
) -> None:
    entry = XdgAutostart(tmp_path / "autostart")
    apply_autostart(entry, True, command, "Acme Help")
    validate_desktop_file(entry.path)
    text = entry.read()
    assert text is not None
    assert "Name=Acme Help\n" in text
    assert "Hidden=" not in text


def test_the_exec_line_quotes_what_the_desktop_spec_reserves(tmp_path: Path) -> None:
    entry = XdgAutostart(tmp_path)
    apply_autostart(entry, True, AWKWARD, "SupportTray")
    assert entry.read() is not None
    exec_line = next(line for line in (entry.read() or "").splitlines()
                     if line.startswith("Exec="))
    # The spec's two levels: quoting for the argument, then the string escape doubling "\".
    assert exec_line == ('Exec="/opt/My Apps/supporttray" 100%% '
                         '"quote\\\\" dollar\\\\$ back\\\\\\\\slash"')


def test_xdg_config_home_decides_where_the_entry_goes(tmp_path: Path) -> None:
    assert xdg_autostart_dir({"XDG_CONFIG_HOME": str(tmp_path), "HOME": "/nowhere"}) == (
        tmp_path / "autostart")
    assert xdg_autostart_dir({"XDG_CONFIG_HOME": "relative", "HOME": str(tmp_path)}) == (
        tmp_path / ".config" / "autostart")
    entry = autostart_entry("linux", {"XDG_CONFIG_HOME": str(tmp_path)})
    assert entry.describe() == str(tmp_path / "autostart" / "supporttray.desktop")


def test_turning_autostart_off_removes_the_entry_and_a_second_start_changes_nothing(
    tmp_path: Path,
) -> None:
    entry = XdgAutostart(tmp_path)
    assert apply_autostart(entry, True, ["/usr/bin/supporttray"], "SupportTray").startswith(
        "autostart is on; wrote")
    assert apply_autostart(entry, True, ["/usr/bin/supporttray"], "SupportTray") == (
        f"autostart is on ({entry.path})")
    assert apply_autostart(entry, False, ["/usr/bin/supporttray"], "SupportTray") == (
        f"autostart is off; removed {entry.path}")
    assert not entry.path.exists()
    assert apply_autostart(entry, False, [], "SupportTray") == (
        "autostart is off; there is no entry")


def test_a_renamed_brand_rewrites_the_entry(tmp_path: Path) -> None:
    entry = XdgAutostart(tmp_path)
    apply_autostart(entry, True, ["/usr/bin/supporttray"], "SupportTray")
    apply_autostart(entry, True, ["/usr/bin/supporttray"], "Acme Help")
    assert "Name=Acme Help" in (entry.read() or "")


def test_an_entry_that_cannot_be_written_is_a_sentence_naming_the_place(tmp_path: Path) -> None:
    blocker = tmp_path / "autostart"
    blocker.write_text("a file where the directory should be", encoding="utf-8")
    entry = XdgAutostart(blocker)
    with pytest.raises(AutostartError, match=r"could not write the autostart entry .*autostart"):
        apply_autostart(entry, True, ["/usr/bin/supporttray"], "SupportTray")


def test_the_launch_agent_runs_the_app_once_at_login_in_the_gui_session(tmp_path: Path) -> None:
    entry = MacLaunchAgent(tmp_path / "Library" / "LaunchAgents")
    apply_autostart(entry, True, AWKWARD, "Acme Help")
    plist = plistlib.loads(entry.path.read_bytes())
    assert entry.path.name == f"{LAUNCH_AGENT_LABEL}.plist"
    assert plist == {
        "Label": LAUNCH_AGENT_LABEL,
        "ProgramArguments": AWKWARD,
        "RunAtLoad": True,
        "KeepAlive": False,
        "LimitLoadToSessionType": "Aqua",
        "ProcessType": "Interactive",
    }
    assert apply_autostart(entry, True, AWKWARD, "Acme Help").startswith("autostart is on (")
    apply_autostart(entry, False, AWKWARD, "Acme Help")
    assert not entry.path.exists()


def test_the_macos_entry_lives_in_the_users_launch_agents(tmp_path: Path) -> None:
    entry = autostart_entry("darwin", {"HOME": str(tmp_path)})
    assert entry.describe() == str(
        tmp_path / "Library" / "LaunchAgents" / f"{LAUNCH_AGENT_LABEL}.plist")


class FakeRunKey:
    """The Run key's values, as winreg would hold them."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def test_the_run_key_holds_one_quoted_command_line_and_goes_when_turned_off() -> None:
    key = FakeRunKey()
    entry = WindowsRunEntry(key)
    command = [r"C:\Program Files\SupportTray\supporttray.exe"]
    apply_autostart(entry, True, command, "Acme Help")
    assert key.values == {"SupportTray": r'"C:\Program Files\SupportTray\supporttray.exe"'}
    assert apply_autostart(entry, True, command, "Acme Help").startswith("autostart is on (")
    apply_autostart(entry, False, command, "Acme Help")
    assert key.values == {}


def test_the_entry_starts_a_plain_supporttray_by_absolute_path(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "supporttray"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    assert start_command(frozen=False, argv0=str(script)) == [str(script.resolve())]
    assert start_command(frozen=True, executable="/opt/st/SupportTray") == ["/opt/st/SupportTray"]
    fallback = start_command(frozen=False, executable="/usr/bin/python3",
                             argv0=str(tmp_path / "__main__.py"))
    assert fallback[-2:] == ["-m", "supporttray"] or Path(fallback[0]).name == "supporttray"
