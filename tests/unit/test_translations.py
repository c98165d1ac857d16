"""The shipped catalogues: every sentence the source marks is translated, and the .mo gettext
reads is the one scripts/translations.py compiles from the .po (nobody forgot to compile)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "translations.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("translations_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


script = load_script()


@pytest.mark.parametrize("po", script.catalogues(), ids=lambda p: p.parts[-3])
def test_every_marked_sentence_is_translated_and_compiled(po: Path) -> None:
    assert script.problems(po, script.extract()) == []


def test_german_ships() -> None:
    assert [po.parts[-3] for po in script.catalogues()] == ["de"]


def test_the_extractor_finds_sentences_and_plurals_but_not_log_lines(tmp_path: Path) -> None:
    (tmp_path / "window.py").write_text(
        'label.setText(_("Sign in"))\n'
        'ROWS = (N_("Who"),)\n'
        'text = ngettext("{n} field", "{n} fields", n)\n'
        'log.info("signed in as %s", jid)\n'
    )
    found = script.extract(tmp_path)
    assert [(e.msgid, e.plural) for e in found.values()] == [
        ("Sign in", None), ("Who", None), ("{n} field", "{n} fields")]


def test_the_compiled_catalogue_reads_back_with_gettext(tmp_path: Path) -> None:
    import gettext

    entries = {
        "Quit": script.Entry("Quit", None, ["Beenden"]),
        "{n} field\0{n} fields": script.Entry("{n} field", "{n} fields",
                                              ["{n} Feld", "{n} Felder"]),
        "Untranslated": script.Entry("Untranslated", None, [""]),
    }
    header = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"
    mo = tmp_path / "x.mo"
    mo.write_bytes(script.compile_mo(header, entries))
    with mo.open("rb") as stream:
        catalogue = gettext.GNUTranslations(stream)
    assert catalogue.gettext("Quit") == "Beenden"
    assert catalogue.ngettext("{n} field", "{n} fields", 1) == "{n} Feld"
    assert catalogue.ngettext("{n} field", "{n} fields", 2) == "{n} Felder"
    assert catalogue.gettext("Untranslated") == "Untranslated"
