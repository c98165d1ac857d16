"""The Linux desktop entries in packaging/ are valid for desktop-file-validate, and the menu
entry makes SupportTray the desktop's handler of xmpp: links (XEP-0147); the Windows installer
writes the policy the app reads, and the Group Policy template follows the settings schema."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import pytest

from supporttray.config.policy_windows import read_registry_policy
from supporttray.config.schema import KEYS
from tests.helpers import REG_SZ, FakeWinreg

LINUX = Path(__file__).resolve().parents[2] / "packaging" / "linux"
_spec = importlib.util.spec_from_file_location(
    "make_admx", LINUX.parent / "windows" / "make_admx.py")
assert _spec is not None and _spec.loader is not None
make_admx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_admx)


@pytest.mark.parametrize("name", ["supporttray.desktop", "supporttray-autostart.desktop"])
def test_desktop_file_is_valid(name: str) -> None:
    validator = shutil.which("desktop-file-validate")
    assert validator, "desktop-file-validate is missing: run scripts/bootstrap (desktop-file-utils)"
    done = subprocess.run([validator, str(LINUX / name)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_menu_entry_opens_xmpp_links_with_the_link_as_argument() -> None:
    lines = (LINUX / "supporttray.desktop").read_text(encoding="utf-8").splitlines()
    desktop = dict(line.split("=", 1) for line in lines if "=" in line and line[0] != "#")
    assert "x-scheme-handler/xmpp" in desktop["MimeType"].split(";")
    assert desktop["Exec"] == "supporttray %u"


# -- Windows: the MSI's properties and the Group Policy template --------------------------------

WINDOWS = LINUX.parent / "windows"
WIX = "{http://schemas.microsoft.com/wix/2006/wi}"


def msi_registry_values() -> list[tuple[str, str, str]]:
    """(key, value name, value) of every registry value the MSI writes under the policy key."""
    tree = ElementTree.parse(WINDOWS / "SupportTray.wxs")
    return [(value.get("Key", ""), value.get("Name", ""), value.get("Value", ""))
            for value in tree.iter(f"{WIX}RegistryValue")
            if value.get("Key", "").startswith("Software\\Policies\\SupportTray")]


def test_a_silent_install_with_properties_gives_the_app_that_policy() -> None:
    # given `msiexec /i SupportTray.msi /qn SERVER=xmpp.example.org DOMAIN=example.org
    #        STAFF="alice@example.org,bob@example.org" MODE=staff` (AUTOSTART not given)
    given = {"SERVER": "xmpp.example.org", "DOMAIN": "example.org",
             "STAFF": "alice@example.org,bob@example.org", "MODE": "staff", "AUTOSTART": ""}
    registry = FakeWinreg()
    for key, name, value in msi_registry_values():
        for prop, text in given.items():
            value = value.replace(f"[{prop}]", text)
        registry.set(key, name, value, REG_SZ)

    # when the app reads the machine policy
    policy = read_registry_policy(registry)

    # then the properties are its locked settings, and what was not given is not set
    assert dict(policy.enforced) == {
        "server.host": "xmpp.example.org", "server.domain": "example.org",
        "support.staff": ("alice@example.org", "bob@example.org"), "support.mode": "staff"}


def test_each_msi_property_is_remembered_for_an_upgrade_without_it() -> None:
    tree = ElementTree.parse(WINDOWS / "SupportTray.wxs")
    searched = {prop.get("Id") for prop in tree.iter(f"{WIX}Property")
                if prop.find(f"{WIX}RegistrySearch") is not None}
    written = {value.strip("[]") for _key, _name, value in msi_registry_values()}
    assert written == {"SERVER", "DOMAIN", "STAFF", "MODE", "AUTOSTART"} == searched


def test_the_group_policy_template_is_current_and_names_every_key_in_both_tables() -> None:
    assert make_admx.main(["--check"]) == 0, "run packaging/windows/make_admx.py"
    tree = ElementTree.parse(WINDOWS / "SupportTray.admx")
    ns = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"
    names = {policy.get("name") for policy in tree.iter(f"{ns}policy")}
    for key in KEYS:
        for table in ("Enforced", "Defaults"):
            assert f"{table}_{key.replace('.', '_')}" in names
    ElementTree.parse(WINDOWS / "en-US" / "SupportTray.adml")  # well-formed
