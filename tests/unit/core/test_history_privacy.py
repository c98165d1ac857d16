"""The privacy line: who keeps a conversation and how long, in English and in German."""

from __future__ import annotations

import pytest

from supporttray.core.history_privacy import Keeping, keeping_sentence
from supporttray.language import catalogue as i18n


@pytest.mark.parametrize(("keeping", "line"), [
    (Keeping(True, 90, True),
     "Kept on this computer for 90 days · also in your company's server archive"),
    (Keeping(True, 0, False), "Kept on this computer · not kept in a server archive"),
    (Keeping(True, 1, None), "Kept on this computer for 1 day · the server's archive: unknown"),
    (Keeping(False, 90, True), "Not kept on this computer · also in your company's server archive"),
])
def test_the_line_says_who_keeps_the_conversation_and_how_long(
    keeping: Keeping, line: str,
) -> None:
    assert str(keeping_sentence(keeping)) == line


def test_the_line_is_shown_in_german() -> None:
    i18n.install("de")
    try:
        shown = keeping_sentence(Keeping(True, 90, True)).translated()
    finally:
        i18n.install("en")
    assert shown == ("Auf diesem Computer 90 Tage lang gespeichert · auch im Serverarchiv "
                     "Ihrer Firma")
