"""A Sentence is English as str() (logs, status --json, doctor) and translated when shown."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from supporttray.language import catalogue
from supporttray.language.sentence import Sentence, SentenceError, shown
from supporttray.xmpp import errors


@pytest.fixture
def german() -> Iterator[None]:
    catalogue.install("de")
    yield
    catalogue.install("en")


def test_str_is_english_and_translated_is_german_nested_reason_included(german: None) -> None:
    sentence = errors.unreachable_sentence("h.example", 5222, TimeoutError(110, "x"))
    assert str(sentence).startswith("Cannot reach the chat server at h.example:5222 (timed out)")
    assert sentence.translated().startswith(
        "Der Chat-Server unter h.example:5222 ist nicht erreichbar (Zeitüberschreitung)")


def test_verbatim_text_with_braces_is_shown_as_it_is(german: None) -> None:
    assert Sentence.verbatim("a {b} c").translated() == "a {b} c"


def test_a_sentence_error_keeps_str_english_and_equal_sentences_are_equal(german: None) -> None:
    error = SentenceError(errors.lost_sentence(4.6))
    assert str(error) == "The connection to the chat server was lost. Retrying in 5 s."
    assert shown(error) == ("Die Verbindung zum Chat-Server wurde unterbrochen. "
                            "Neuer Versuch in 5 s.")
    assert errors.lost_sentence(4.6) == errors.lost_sentence(4.6)
    assert hash(errors.lost_sentence(4.6)) == hash(errors.lost_sentence(4.6))


def test_a_sentence_crosses_a_process_boundary_and_is_still_translated(german: None) -> None:
    # Given a sentence with a sentence inside, as the password reader's child sends it
    sentence = errors.unreachable_sentence("h.example", 5222, TimeoutError(110, "x"))
    data = json.loads(json.dumps(sentence.as_data()))
    # Then the parent gets the same sentence back, English and German alike
    back = Sentence.from_data(data)
    assert back is not None
    assert (str(back), back.translated()) == (str(sentence), sentence.translated())


@pytest.mark.parametrize("data", [
    None, "text", {"msgid": "x"}, {"msgid": 1, "params": {}},
    {"msgid": "{missing}", "params": {}}, {"msgid": "{a}", "params": {"a": 3}},
])
def test_what_is_not_a_sentence_is_none(data: object) -> None:
    assert Sentence.from_data(data) is None
