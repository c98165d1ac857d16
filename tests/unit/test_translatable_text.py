"""Every text the windows show goes through `_()` or `ngettext()`: a literal given straight to a
Qt text setter is a sentence no translator can reach (and a German window with English bits)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "supporttray" / "ui"

# Calls whose string arguments a person reads: setters, and constructors that take a text.
TEXT_CALLS = frozenset({
    "setText", "setWindowTitle", "setToolTip", "setStatusTip", "setWhatsThis",
    "setPlaceholderText", "setAccessibleName", "setAccessibleDescription", "setTitle",
    "addAction", "addMenu", "addItem", "addRow", "addTab", "setTabText", "setLabelText",
    "setHeaderLabels", "setHorizontalHeaderLabels", "setInformativeText", "setDetailedText",
    "showMessage", "show_notification", "information", "warning", "critical", "question",
    "QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QToolButton", "QGroupBox",
    "QAction", "QMenu", "QMessageBox", "QListWidgetItem", "QTreeWidgetItem", "NoticeAction",
})
TRANSLATORS = frozenset({"_", "ngettext"})
# Loggers have `warning()` too; their lines stay English for IT.
LOGGERS = frozenset({"log", "logger", "logging"})


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _has_words(text: str) -> bool:
    """Two letters or more outside HTML tags (`<p style="...">` is markup, not words)."""
    return sum(ch.isalpha() for ch in re.sub(r"<[^>]*>", "", text)) >= 2


def _untranslated(node: ast.AST) -> list[ast.AST]:
    """Literal words in `node` that no `_()`/`ngettext()` wraps."""
    if isinstance(node, ast.Call) and _name(node) in TRANSLATORS:
        return []
    if isinstance(node, ast.Constant):
        return [node] if isinstance(node.value, str) and _has_words(node.value) else []
    if isinstance(node, ast.JoinedStr):
        literal = "".join(v.value for v in node.values
                          if isinstance(v, ast.Constant) and isinstance(v.value, str))
        found: list[ast.AST] = [node] if _has_words(literal) else []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                found += _untranslated(value.value)
        return found
    if isinstance(node, ast.Call):
        # menu_text(...), one_line(...), "...".format(...): look at what is passed in.
        found = []
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            found += _untranslated(arg)
        if isinstance(node.func, ast.Attribute):
            found += _untranslated(node.func.value)
        return found
    if isinstance(node, (ast.IfExp, ast.BinOp, ast.BoolOp, ast.Tuple, ast.List)):
        return [bad for child in ast.iter_child_nodes(node) for bad in _untranslated(child)]
    return []


def untranslated_texts(source: str, where: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _name(node) not in TEXT_CALLS:
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id in LOGGERS:
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            for bad in _untranslated(arg):
                found.append(f"{where}:{bad.lineno}: {ast.unparse(bad)}")
    return found


def test_every_text_given_to_a_qt_setter_is_translatable() -> None:
    found = [line for path in sorted(UI.rglob("*.py"))
             for line in untranslated_texts(path.read_text(encoding="utf-8"), path.name)]
    assert found == [], "wrap these in _() or ngettext():\n" + "\n".join(found)


def test_the_check_sees_a_literal_a_formatted_string_and_a_choice_of_two() -> None:
    source = (
        'button.setText("Send")\n'
        'window.setWindowTitle(f"Ask support — {name}")\n'
        'label.setToolTip("Hide" if shown else "Show")\n'
        'menu.addAction(icon, menu_text(f"Open {app}"))\n'
        'QLabel("Password", parent)\n'
    )
    assert len(untranslated_texts(source, "x.py")) == 6


def test_the_check_lets_translated_and_wordless_text_through() -> None:
    source = (
        'button.setText(_("Send"))\n'
        'window.setWindowTitle(_("Ask support — {name}").format(name=name))\n'
        'label.setText(ngettext("{n} field", "{n} fields", n).format(n=n))\n'
        'label.setText(f"{count} · {when}")\n'
        'label.setText("")\n'
        'log.warning("could not open %s", url)\n'
    )
    assert untranslated_texts(source, "x.py") == []
