"""The app layer's errors whose text is a sentence for the user (never a traceback)."""

from __future__ import annotations

from supporttray.language.sentence import SentenceError


class AskError(SentenceError):
    """The question cannot be asked (or the message sent); the sentence says why."""


class DeskError(SentenceError):
    """The request cannot be taken or resolved; the sentence says why."""
