"""The language of the windows: our catalogue (gettext, see language/catalogue.py) and Qt's own.

Qt's dialogs and standard buttons ("Cancel", "&Yes", the line edit's context menu) come from
`qtbase_<lang>.qm`, which PySide6 ships; without it a German window has English buttons.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from supporttray.language import catalogue
from supporttray.ui import date_text

log = logging.getLogger("supporttray.ui")


def choose_language(setting: str, environ: Mapping[str, str] | None = None) -> str:
    """Installs the language `app.language` names, or the desktop's for "system"; returns the
    code in use ("en" when we ship nothing for it). Called once by the root before any window
    text is built: text already on screen keeps its language until the next start."""
    desktop = QLocale.system().name()  # Windows and macOS set no LANG: Qt asks the OS
    environ = os.environ if environ is None else environ
    wanted = catalogue.resolve_language(setting, environ, desktop)
    language = catalogue.install(wanted)
    date_text.use_language(language)
    app = QCoreApplication.instance()
    if app is not None:
        _install_qt_catalogue(app, language)
    log.info("language: %s (app.language = %s, asked for %s)", language, setting, wanted)
    return language


# The one we installed, so that choosing again (a test switching language) replaces it instead
# of stacking a second catalogue under the first.
_installed: list[QTranslator] = []


def _install_qt_catalogue(app: QCoreApplication, language: str) -> None:
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if language == "en":
        return
    translator = QTranslator(app)
    directory = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(f"qtbase_{language}", directory):
        app.installTranslator(translator)
        _installed.append(translator)
    else:
        log.info("no qtbase_%s.qm in %s: Qt's own buttons stay English", language, directory)
