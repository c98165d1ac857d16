"""language.catalogue: which language, and the sentences in it."""

from __future__ import annotations

import pytest

from supporttray.language import catalogue


@pytest.mark.parametrize(("setting", "environ", "expected"), [
    ("de", {"LANG": "en_US.UTF-8"}, "de"),
    ("en", {"LANG": "de_DE.UTF-8"}, "en"),
    ("system", {"LANG": "de_DE.UTF-8"}, "de_DE"),
    ("system", {"LANGUAGE": "de:en", "LANG": "en_US.UTF-8"}, "de"),
    ("system", {"LC_ALL": "de_AT@euro", "LANG": "en_US.UTF-8"}, "de_AT"),
    ("system", {"LANGUAGE": "C", "LANG": "de_DE.UTF-8"}, "en"),
    ("system", {}, "fr_FR"),  # nothing in the environment (Windows, macOS): the desktop's
])
def test_the_setting_wins_else_the_environment_else_the_desktop(
    setting: str, environ: dict[str, str], expected: str
) -> None:
    assert catalogue.resolve_language(setting, environ, desktop_locale="fr_FR") == expected


def test_a_regional_code_falls_back_to_its_language() -> None:
    assert catalogue.install("de_AT") == "de"
    assert catalogue._("Quit") == "Beenden"


def test_a_language_we_do_not_ship_is_english() -> None:
    assert catalogue.install("fr_FR") == "en"
    assert catalogue._("Quit") == "Quit"


def test_plurals_follow_the_count() -> None:
    catalogue.install("de")
    assert catalogue.ngettext("{count} field", "{count} fields", 1) == "{count} Feld"
    assert catalogue.ngettext("{count} field", "{count} fields", 2) == "{count} Felder"


def test_a_marked_table_entry_is_translated_where_it_is_shown() -> None:
    label = catalogue.N_("Who")
    catalogue.install("de")
    assert label == "Who"
    assert catalogue._(label) == "Wer"
