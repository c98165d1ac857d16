"""A sentence for a person that is English where it is recorded and translated where it is shown.

Why a value and not a string: the same error sentence (a refused password, a server out of
reach, a keyring that is locked, a bad setting) goes to a window, which speaks the person's
language, and to logs, `status --json` and `doctor`, which stay English for IT. So the layers
below the UI hand up the English msgid and its parameters; `str()` gives the English text and
`translated()` the chosen language's, at the moment it is shown (language/catalogue.py). Msgids are
marked with `N_()` where they are written, so the extractor finds them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from supporttray.language.catalogue import _


@dataclass(frozen=True)
class Sentence:
    """`msgid` (English, with `{name}` fields) filled from `params`.

    A parameter may itself be a Sentence (a reason inside a sentence): it is shown in the
    same language as the sentence around it.
    """

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Read-only, so a frozen Sentence cannot change behind a status that holds it.
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @classmethod
    def verbatim(cls, text: str) -> Sentence:
        """Text that has no translation (a server's or library's own words): shown as it is."""
        return cls("{text}", {"text": text})

    def as_data(self) -> dict[str, object]:
        """JSON-ready: what a child process hands back so its parent can still translate it.
        Parameters other than Sentences travel as their English text."""
        return {"msgid": self.msgid,
                "params": {k: v.as_data() if isinstance(v, Sentence) else str(v)
                           for k, v in self.params.items()}}

    @classmethod
    def from_data(cls, data: object) -> Sentence | None:
        """The Sentence `as_data` described; None for anything else (an older child's answer)."""
        if not isinstance(data, dict) or not isinstance(data.get("msgid"), str) \
                or not isinstance(data.get("params"), dict):
            return None
        params: dict[str, object] = {}
        for key, value in data["params"].items():
            inner = cls.from_data(value) if isinstance(value, dict) else None
            if inner is None and not isinstance(value, str):
                return None
            params[str(key)] = inner if inner is not None else value
        sentence = cls(data["msgid"], params)
        try:
            str(sentence)  # a msgid whose fields the params do not fill would fail when shown
        except (KeyError, IndexError, ValueError, AttributeError):
            return None
        return sentence

    def __str__(self) -> str:
        return self.msgid.format(**{k: str(v) if isinstance(v, Sentence) else v
                                    for k, v in self.params.items()})

    def translated(self) -> str:
        return _(self.msgid).format(**{k: v.translated() if isinstance(v, Sentence) else v
                                       for k, v in self.params.items()})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sentence):
            return NotImplemented
        return self.msgid == other.msgid and dict(self.params) == dict(other.params)

    def __hash__(self) -> int:
        return hash((self.msgid, tuple(sorted(self.params))))


class SentenceError(Exception):
    """An error whose message is a Sentence: `str(exc)` is English (logs, `status --json`,
    `doctor`), `shown(exc)` the person's language."""

    def __init__(self, sentence: Sentence | str) -> None:
        self.sentence = sentence if isinstance(sentence, Sentence) else Sentence.verbatim(sentence)
        super().__init__(str(self.sentence))

    def __str__(self) -> str:
        return str(self.sentence)


def shown(value: object) -> str:
    """What a window shows for `value`: a Sentence or a SentenceError translated, else str()."""
    if isinstance(value, Sentence):
        return value.translated()
    if isinstance(value, SentenceError):
        return value.sentence.translated()
    return str(value)
