#!/usr/bin/env python3
"""Keep the translation catalogues in step with the source: extract, update the .po, compile .mo.

    scripts/translations.py update   # add new sentences to every .po (empty msgstr), drop gone ones
    scripts/translations.py compile  # write each .mo next to its .po
    scripts/translations.py check    # exit 1 if a sentence is untranslated or a .mo is stale

Stdlib only (no msgfmt, no Babel), so the build and the tests need nothing installed. The
extractor reads the AST: calls of `_("...")`, `N_("...")` and `ngettext("...", "...", n)` with
literal strings; anything else is not translatable and the tests say so. The .mo is written
deterministically (sorted, fixed header), so a test can compare it byte for byte.
"""

from __future__ import annotations

import ast
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "supporttray"
LOCALE = PACKAGE / "locale"
DOMAIN = "supporttray"


@dataclass
class Entry:
    msgid: str
    plural: str | None = None
    # One string, or one per plural form.
    msgstr: list[str] = field(default_factory=lambda: [""])
    locations: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.msgid if self.plural is None else f"{self.msgid}\0{self.plural}"

    def translated(self) -> bool:
        return all(self.msgstr) and bool(self.msgstr)


def extract(package: Path = PACKAGE) -> dict[str, Entry]:
    """Every translatable sentence in the package, in source order, keyed like the .mo."""
    found: dict[str, Entry] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        where = path.relative_to(package.parent).as_posix()
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
        for node in sorted(calls, key=lambda call: (call.lineno, call.col_offset)):
            entry = _entry_of(node)
            if entry is None:
                continue
            entry = found.setdefault(entry.key, entry)
            entry.locations.append(f"{where}:{node.lineno}")
    return found


def _entry_of(node: ast.Call) -> Entry | None:
    if not isinstance(node.func, ast.Name):
        return None
    texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if node.func.id in ("_", "N_") and len(node.args) == 1 and len(texts) == 1:
        return Entry(texts[0])
    if node.func.id == "ngettext" and len(texts) == 2:
        return Entry(texts[0], texts[1], ["", ""])
    return None


# -- .po ------------------------------------------------------------------------------------

def _unquote(line: str) -> str:
    return str(ast.literal_eval(line))


def read_po(path: Path) -> tuple[str, dict[str, Entry]]:
    """The header's msgstr and the entries of a .po file (comments and fuzzy flags dropped)."""
    header = ""
    entries: dict[str, Entry] = {}
    current: dict[str, str] = {}
    last = ""

    def finish() -> None:
        nonlocal header
        if "msgid" not in current:
            return
        if current["msgid"] == "":
            header = current.get("msgstr", "")
        elif "msgid_plural" in current:
            forms = sorted(k for k in current if k.startswith("msgstr["))
            entry = Entry(current["msgid"], current["msgid_plural"], [current[k] for k in forms])
            entries[entry.key] = entry
        else:
            entry = Entry(current["msgid"], None, [current.get("msgstr", "")])
            entries[entry.key] = entry
        current.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            current[last] += _unquote(line)
            continue
        keyword, _space, rest = line.partition(" ")
        if keyword == "msgid":
            finish()
        last = keyword
        current[keyword] = _unquote(rest)
    finish()
    return header, entries


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    lines = escaped.split("\n")
    if len(lines) == 1:
        return f'"{escaped}"'
    parts = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    return '""\n' + "\n".join(f'"{part}"' for part in parts)


def write_po(path: Path, header: str, entries: dict[str, Entry]) -> None:
    out = ['msgid ""', f"msgstr {_quote(header)}", ""]
    for entry in entries.values():
        out += [f"#: {location}" for location in entry.locations]
        if "{" in entry.msgid:
            out.append("#, python-brace-format")
        out.append(f"msgid {_quote(entry.msgid)}")
        if entry.plural is None:
            out.append(f"msgstr {_quote(entry.msgstr[0])}")
        else:
            out.append(f"msgid_plural {_quote(entry.plural)}")
            out += [f"msgstr[{n}] {_quote(text)}" for n, text in enumerate(entry.msgstr)]
        out.append("")
    path.write_text("\n".join(out), encoding="utf-8")


# -- .mo ------------------------------------------------------------------------------------

def compile_mo(header: str, entries: dict[str, Entry]) -> bytes:
    """GNU .mo bytes of the translated entries (untranslated ones fall back to English)."""
    pairs = {"": header}
    for entry in entries.values():
        if entry.translated():
            pairs[entry.key] = "\0".join(entry.msgstr)
    keys = sorted(pairs)
    ids = [k.encode() for k in keys]
    strs = [pairs[k].encode() for k in keys]
    count = len(keys)
    ids_table = 7 * 4
    strs_table = ids_table + count * 8
    data = strs_table + count * 8
    offsets: list[int] = []
    blob = b""
    for text in ids + strs:
        offsets += [len(text), data + len(blob)]
        blob += text + b"\0"
    head = struct.pack("<7I", 0x950412DE, 0, count, ids_table, strs_table, 0, 0)
    return head + struct.pack(f"<{4 * count}I", *offsets) + blob


def catalogues() -> list[Path]:
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def problems(po: Path, source: dict[str, Entry]) -> list[str]:
    """What is missing or stale for one language; [] when it is complete and compiled."""
    header, entries = read_po(po)
    found = []
    for key, entry in source.items():
        have = entries.get(key)
        if have is None or not have.translated():
            found.append(f"{po}: untranslated: {entry.msgid!r} ({entry.locations[0]})")
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != compile_mo(header, entries):
        found.append(f"{mo}: out of date: run scripts/translations.py compile")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    source = extract()
    if command == "update":
        for po in catalogues():
            header, entries = read_po(po)
            merged: dict[str, Entry] = {}
            for key, entry in source.items():
                if key in entries:
                    entry.msgstr = entries[key].msgstr
                merged[key] = entry
            write_po(po, header, merged)
        return 0
    if command == "compile":
        for po in catalogues():
            header, entries = read_po(po)
            po.with_suffix(".mo").write_bytes(compile_mo(header, entries))
        return 0
    if command == "check":
        found = [p for po in catalogues() for p in problems(po, source)]
        print("\n".join(found) or "all catalogues complete and compiled")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
