"""The language of every sentence a person reads: `_()`, `ngettext()` and `N_()`.

Why gettext (stdlib) and not Qt's `tr()`: the sentences a user reads are written in ui/ but also
in app/, xmpp/errors.py, core/ (presence wording, durations) and config/ (validation, keyring), and
core/ and config/ must not import Qt. One catalogue format for all of them, with real plural forms
(`ngettext`), and a QTranslator only for Qt's own strings (ui/qt_translations.py).

What stays English: log lines (for IT), `status --json` and other machine output, the wire (what
another XMPP client sees) and policy key names. Those never go through `_()`.

The chosen catalogue is process-wide, as gettext's own `install()` is: it is set once by the
composition root before any window text is built, and every `_()` call reads it then, so text is
translated when it is shown, not when a module is imported (module-level tables use `N_()` to be
found by the extractor and `_()` where they are shown).
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "supporttray"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_catalogue: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"  # the code of the catalogue `install` loaded


def current_language() -> str:
    """The language sentences come out in ("de", "en"): a file we write says so (HTML lang)."""
    return _language


def _(message: str) -> str:
    """`message` in the chosen language (itself where there is no translation)."""
    return _catalogue.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The form of a sentence for `count` in the chosen language's plural rules."""
    return _catalogue.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Marks `message` for the catalogue where it is defined; `_()` translates it where shown."""
    return message


def resolve_language(setting: str, environ: Mapping[str, str], desktop_locale: str = "en") -> str:
    """The language code to use: `app.language` unless "system", else the OS locale's.

    Follows gettext's order of variables (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), "C"/"POSIX" being
    English; where none is set (Windows, macOS) `desktop_locale`, which the root asks Qt for.
    """
    if setting and setting != "system":
        return setting
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            # LANGUAGE may list several ("de:en"); the first wins.
            first = value.split(":")[0]
            code = first.split(".")[0].split("@")[0]
            if code in ("C", "POSIX", ""):
                return "en"
            return code
    return desktop_locale


def install(language: str) -> str:
    """Chooses the catalogue for `language` ("de", "de_AT", "en"); returns the one loaded.

    A regional code falls back to its base language; a language we do not ship is English.
    """
    global _catalogue, _language
    for code in (language, language.split("_")[0]):
        if code == "en":
            break
        mo = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if mo.is_file():
            with mo.open("rb") as stream:
                _catalogue = gettext.GNUTranslations(stream)
            _language = code
            return code
    _catalogue = gettext.NullTranslations()
    _language = "en"
    return "en"
