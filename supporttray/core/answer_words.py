"""Reading a yes or a no out of what someone wrote back to a group check.

Colleagues answer from any client, so the answer arrives as words ("ok", "go ahead", "nope,
wait"), a thumb (a XEP-0444 reaction, or the emoji typed as text), or a button's explicit value.
The recogniser looks at the *start* of the reply: people put the answer first and the reason
after it ("no, I'm still compiling"). Phrases are matched on whole words, case and accents of
punctuation ignored.

How it decides, in this order:
1. A leading phrase that reads as agreement although it contains a "no" ("no objection",
   "no problem", "no worries", "why not") is a yes.
2. A leading objection word or phrase ("no", "nope", "wait", "hold on", "not yet", "don't",
   "stop", "-1", 👎, "nein") is a no.
3. A leading agreement word or phrase ("yes", "ok", "+1", "sure", "go ahead", "fine", 👍, "ja")
   is a yes.
4. Anything else is not an answer (None): the panel shows what they wrote, uncounted.

What it gets wrong (known, and why we accept it):
- Irony and hedging read by their first word: "yeah, no" and "sure... not" are yes; "ok but
  not before 5" is a yes although it is a condition.
- A yes or no later in a sentence is missed: "I think that's fine" and "I'd rather you
  didn't" are not answers (None), so the asker sees the words and decides.
- Only English and German words are known; "oui", "sí", "da" are not answers.
- "k" and "y" count as yes and "n" as no: a stray single letter is taken at its word.
- Thanks alone ("thanks!", "danke") is not an answer: to "Did this fix it?" it opens the
  request again, which errs on the side of the requester.
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum


class Answer(Enum):
    """What a person said to a group check."""

    AGREED = "yes"
    OBJECTED = "no"


# Phrases as word tuples, longest first within each list is not needed: every list is tried
# for the longest match at the start of the reply.
_AGREEING_DESPITE_NO = (
    "no objection", "no objections", "no problem", "no problems", "no prob", "no probs",
    "no worries", "no issue", "no issues", "no concerns", "why not", "not a problem",
    "no complaints", "no objection from me", "kein problem", "keine einwände", "keine einwande",
    "spricht nichts dagegen", "nichts dagegen",
)
_OBJECTING = (
    "no", "nope", "nah", "nay", "n", "negative", "not yet", "not now", "not ok", "not okay",
    "wait", "hold on", "hold off", "hang on", "stop", "don't", "dont", "do not", "please don't",
    "please wait", "please dont", "-1", "👎", "❌", "✋", "objection", "i object", "veto",
    "not yet please", "noo", "nooo", "no way", "nein", "noch nicht", "warte", "warten",
    "stopp", "bitte nicht", "bitte warten", "moment",
)
_AGREEING = (
    "yes", "yep", "yup", "yeah", "yea", "ya", "y", "ok", "okay", "okey", "k", "kk", "+1",
    "👍", "✅", "✔", "👌", "sure", "go", "go ahead", "go for it", "fine", "fine by me",
    "sounds good", "agreed", "agree", "i agree", "do it", "lgtm", "yes please", "absolutely",
    "of course", "alright", "all right", "affirmative", "approved", "np", "ja", "jep", "jo",
    "klar", "passt", "einverstanden", "gerne", "mach", "mach ruhig", "los", "in ordnung",
    "geht klar", "ok für mich",
    # Answers to "Did this fix it?"
    "works", "it works", "working", "fixed", "all good", "solved", "funktioniert", "läuft",
    "behoben", "geht wieder",
)

# Skin tones and the variation selector ride on thumbs (👍🏽, 👍️): gone before matching.
_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f\u200d]")
# Words, signed ones (+1, -1) and the symbols above, one token each.
_TOKEN = re.compile(r"[+-]1|[\w']+|[👍👎❌✋✅✔👌]")


def _words(phrases: tuple[str, ...]) -> list[tuple[str, ...]]:
    # Longest first, so "no objection" wins over "no" and "go ahead" over "go".
    return sorted({tuple(_TOKEN.findall(p)) for p in phrases}, key=len, reverse=True)


_TABLES = ((_words(_AGREEING_DESPITE_NO), Answer.AGREED),
           (_words(_OBJECTING), Answer.OBJECTED),
           (_words(_AGREEING), Answer.AGREED))


def tokens(text: str) -> list[str]:
    """The reply as lower-case words and symbols, apostrophes made straight."""
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'").lower()
    return _TOKEN.findall(_MODIFIERS.sub("", text))


def recognise(text: str) -> Answer | None:
    """The answer a reply starts with, or None when it starts with neither (see the module
    docstring for what that gets wrong)."""
    words = tokens(text)
    if not words:
        return None
    # Repeated letters of emphasis ("yesss", "noooo") read as the word.
    first = re.sub(r"(.)\1{2,}$", r"\1", words[0])
    words = [first, *words[1:]]
    for table, answer in _TABLES:
        for phrase in table:
            if tuple(words[:len(phrase)]) == phrase:
                return answer
    return None


def reaction_answer(emoji: str) -> Answer | None:
    """A XEP-0444 reaction as an answer: a thumb up or down (any skin tone), else None."""
    bare = _MODIFIERS.sub("", emoji).strip()
    if bare in ("👍", "✅", "👌", "✔"):
        return Answer.AGREED
    if bare in ("👎", "❌", "✋"):
        return Answer.OBJECTED
    return None
