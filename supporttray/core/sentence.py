"""Sentence's former place (it moved to supporttray/language/sentence.py, below config, so
config's sentences can be Sentences too); kept for modules written against this path while
other branches were open. New code imports supporttray.language.sentence."""

from supporttray.language.sentence import Sentence, SentenceError, shown

__all__ = ["Sentence", "SentenceError", "shown"]
