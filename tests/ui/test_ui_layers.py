"""The ui layer's import rules, checked on the source so a convention cannot drift."""

from __future__ import annotations

import ast
from pathlib import Path

import supporttray.ui

UI_DIR = Path(supporttray.ui.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_ui_never_imports_slixmpp_or_the_xmpp_layer() -> None:
    offenders = {
        str(path.relative_to(UI_DIR)): sorted(
            name
            for name in imported_modules(path)
            if name.split(".")[0] == "slixmpp" or name.startswith("supporttray.xmpp")
        )
        for path in UI_DIR.rglob("*.py")
    }
    assert {name: mods for name, mods in offenders.items() if mods} == {}


def test_presence_wording_is_qt_free_so_it_unit_tests_without_widgets() -> None:
    imports = imported_modules(UI_DIR / "presence_text.py")
    assert not any(name.split(".")[0] == "PySide6" for name in imports)


def listener_subscriptions(path: Path) -> list[str]:
    """`x.changed.subscribe(...)` calls: how code subscribes to a core model's Listeners."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{path.relative_to(UI_DIR)}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "subscribe"
    ]


def test_only_the_bridge_subscribes_to_core_listeners() -> None:
    # Everything else connects to the bridge's coalesced, typed signals.
    offenders = [
        where
        for path in sorted(UI_DIR.rglob("*.py"))
        if path != UI_DIR / "bridge.py"
        for where in listener_subscriptions(path)
    ]
    assert offenders == []
    assert listener_subscriptions(UI_DIR / "bridge.py")  # the walk does see a subscription
