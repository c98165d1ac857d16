"""The group-check recogniser: what it reads as a yes, a no, or neither.

Its known mistakes are listed in supporttray/core/answer_words.py; the last tests pin them, so
a change in what it gets wrong is a decision, not an accident."""

from __future__ import annotations

import pytest

from supporttray.core.answer_words import Answer, reaction_answer, recognise

YES = Answer.AGREED
NO = Answer.OBJECTED


@pytest.mark.parametrize("text", [
    "yes", "Yes!", "YES", "yep", "yeah sure", "ok", "OK.", "Okay", "k", "+1", "sure",
    "go ahead", "Go ahead, I'm done", "fine by me", "sounds good", "lgtm", "👍", "👍🏽",
    "yesss", "no objection", "No objections from me", "no problem", "why not", "ja",
    "Klar", "passt", "kein Problem", "einverstanden", "alright",
])
def test_agreement_in_common_forms_is_a_yes(text: str) -> None:
    assert recognise(text) is YES


@pytest.mark.parametrize("text", [
    "no", "No.", "NO!", "nope", "nah", "noooo", "wait", "Wait, I'm compiling", "hold on",
    "not yet", "don't", "Don’t restart it", "do not", "-1", "👎", "stop", "nein",
    "noch nicht", "bitte nicht", "Moment", "not now please",
])
def test_objection_in_common_forms_is_a_no(text: str) -> None:
    assert recognise(text) is NO


@pytest.mark.parametrize("text", ["", "   ", "why?", "who is asking", "in 5 minutes",
                                  "what does it do", "🙂"])
def test_a_reply_that_starts_with_neither_is_no_answer(text: str) -> None:
    assert recognise(text) is None


def test_a_thumb_reaction_of_any_skin_tone_is_an_answer() -> None:
    assert reaction_answer("👍🏿") is YES
    assert reaction_answer("👍️") is YES
    assert reaction_answer("👎") is NO
    assert reaction_answer("❤️") is None


def test_known_mistake_irony_reads_by_its_first_word() -> None:
    assert recognise("yeah, no") is YES


def test_known_mistake_a_condition_after_ok_is_still_a_yes() -> None:
    assert recognise("ok but not before 5") is YES


def test_known_mistake_an_answer_later_in_the_sentence_is_missed() -> None:
    assert recognise("I think that's fine") is None
