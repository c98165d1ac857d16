"""Dates as the windows write them: day and month names in the windows' language, from Qt's
locale data for it ("Mo.", "Dez."), in the order a Qt date pattern gives. The patterns are
msgids (`_("dddd d MMMM")`), so each language's catalogue puts day and month in its own order
("dddd, d. MMMM"). strftime's names would follow the process's C locale instead: English in a
German window, or German in an English one.

Times of day stay with the desktop's own locale (time_text, wall_time_text): 24-hour or AM/PM
is the person's system setting, not a matter of language.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QLocale, QTime

# Chosen with the catalogue (qt_translations.choose_language), English until then.
_locale = QLocale("en")


def use_language(language: str) -> None:
    """Names of days and months from now on in `language` ("de", "en")."""
    global _locale
    _locale = QLocale(language)


def date_text(moment: date | datetime, pattern: str) -> str:
    """`moment` written with the Qt date pattern `pattern` (already translated by the caller)."""
    day = QDate(moment.year, moment.month, moment.day)
    if isinstance(moment, datetime):
        return _locale.toString(
            QDateTime(day, QTime(moment.hour, moment.minute, moment.second)), pattern)
    return _locale.toString(day, pattern)
