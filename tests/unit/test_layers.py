"""The layers of ../shared/DESIGN.md, enforced: a convention alone does not hold them apart."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "supporttray"


def imports_of(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the file (lazy imports count too)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_in(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def offenders(files: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in files:
        for name in imports_of(path):
            if name in forbidden or name.startswith(tuple(f + "." for f in forbidden)):
                found.append(f"{path.name} imports {name}")
    return found


@pytest.mark.parametrize("layer", ["core", "config"])
def test_core_and_config_import_neither_qt_nor_slixmpp(layer: str) -> None:
    assert offenders(modules_in(layer), ("PySide6", "slixmpp", "qasync")) == []


def test_core_imports_no_layer_above_it() -> None:
    above = tuple(f"supporttray.{n}" for n in ("platform", "xmpp", "app", "ui", "ipc", "sandbox"))
    assert offenders(modules_in("core"), above) == []


# What reads the machine rather than computes: it belongs in platform/, not in core.
OS_PROBES = ("subprocess", "ctypes", "winreg", "_winreg", "msvcrt", "platform", "psutil",
             "socket", "getpass", "plistlib", "pwd", "grp", "resource", "fcntl", "dbus",
             "jeepney", "PySide6.QtDBus")


def test_core_reads_nothing_from_the_machine() -> None:
    assert offenders(modules_in("core"), OS_PROBES) == []


def test_platform_probes_build_on_core_and_config_only() -> None:
    above = tuple(f"supporttray.{n}" for n in ("xmpp", "app", "ui", "ipc", "sandbox"))
    assert offenders(modules_in("platform"), above) == []


def test_platform_probes_use_no_widgets_and_no_slixmpp() -> None:
    assert offenders(modules_in("platform"), ("PySide6.QtWidgets", "slixmpp", "qasync")) == []


def test_config_is_the_bottom_layer() -> None:
    above = tuple(f"supporttray.{n}" for n in
                  ("core", "platform", "xmpp", "app", "ui", "ipc", "sandbox"))
    assert offenders(modules_in("config"), above) == []


# language/ (the catalogue and Sentence) sits below config: config's validation and keyring
# sentences are shown translated in the windows, so config must reach the catalogue, and the
# catalogue must therefore reach nothing of ours. gettext and dataclasses are all it needs.
def test_language_is_the_bottom_and_imports_nothing_of_ours() -> None:
    ours = [f"{path.name} imports {name}" for path in modules_in("language")
            for name in imports_of(path)
            if name.startswith("supporttray") and not name.startswith("supporttray.language")]
    assert ours == []
    assert offenders(modules_in("language"), ("PySide6", "slixmpp", "qasync")) == []
    assert offenders(modules_in("language"), OS_PROBES) == []


def test_core_reads_from_config_only_the_sysinfo_field_registry() -> None:
    # config sits below core (../shared/DESIGN.md), but settings and policy read files and the
    # Windows registry: core takes only the pure list of system-info fields from it.
    reads = {name for path in modules_in("core") for name in imports_of(path)
             if name.startswith("supporttray.config")}
    assert reads <= {"supporttray.config.sysinfo_fields"}


def test_only_the_xmpp_package_imports_slixmpp() -> None:
    outside = [p for p in PACKAGE.rglob("*.py") if "xmpp" not in p.relative_to(PACKAGE).parts]
    assert offenders(outside, ("slixmpp",)) == []


def test_ui_does_not_reach_into_the_xmpp_layer() -> None:
    assert offenders(modules_in("ui"), ("slixmpp", "supporttray.xmpp")) == []


def test_presence_wording_is_qt_free_so_it_unit_tests_without_widgets() -> None:
    assert offenders([PACKAGE / "ui" / "presence_text.py"], ("PySide6",)) == []


def test_app_services_build_no_widgets() -> None:
    assert offenders(modules_in("app"), ("PySide6", "qasync", "supporttray.ui")) == []


def test_importing_core_at_runtime_loads_no_qt_and_no_slixmpp() -> None:
    code = (
        "import sys, supporttray.core.presence, supporttray.core.connection, "
        "supporttray.core.own_presence; print('\\n'.join(sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert [m for m in loaded if m.startswith(("PySide6", "slixmpp", "qasync"))] == []


def loaded_by(statement: str) -> list[str]:
    """The modules a fresh interpreter holds after `statement`: no other test's imports hide
    a stray one."""
    code = f"import sys; {statement}; print('\\n'.join(sys.modules))"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()


@pytest.mark.parametrize("module", ["supporttray.app.account", "supporttray.doctor"])
def test_naming_a_server_and_the_staff_loads_no_slixmpp(module: str) -> None:
    assert [m for m in loaded_by(f"import {module}") if m.startswith("slixmpp")] == []


def test_the_layer_check_itself_catches_a_forbidden_import(tmp_path: Path) -> None:
    # Given a core-like module that imports Qt lazily, inside a function
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from PySide6.QtCore import QObject\n", encoding="utf-8")
    # Then the scan reports it
    assert offenders([bad], ("PySide6",)) != []


def listener_subscriptions(path: Path) -> list[str]:
    """`x.changed.subscribe(...)` calls: how code subscribes to a core model's Listeners."""
    return [f"{path.relative_to(PACKAGE)}:{node.lineno}"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "subscribe"]


def test_only_the_bridge_subscribes_to_core_listeners() -> None:
    # Everything else in ui/ connects to the bridge's coalesced, typed signals.
    bridge = PACKAGE / "ui" / "bridge.py"
    assert [where for path in modules_in("ui") if path != bridge
            for where in listener_subscriptions(path)] == []
    assert listener_subscriptions(bridge)  # the walk does see a subscription
