"""One line of a diagnosis: `doctor` prints them, the Sign-in window's "Check connection" shows
them; both from the same checks (doctor.py), so the person reads the same sentences: English on
the terminal (IT reads it, and scripts may), in the person's language in the window."""

from __future__ import annotations

from dataclasses import dataclass

from supporttray.language.catalogue import N_, _
from supporttray.language.sentence import Sentence

# What the window shows for a level and a topic; the terminal prints the keys themselves.
LEVEL_WORDS = {"OK": N_("OK"), "WARN": N_("WARN"), "FAIL": N_("FAIL")}
TOPIC_WORDS = {
    "policy": N_("policy"), "account": N_("account"), "keyring": N_("keyring"),
    "server": N_("server"), "tls": N_("tls"), "login": N_("login"), "services": N_("services"),
    "staff-room": N_("staff-room"), "tray": N_("tray"), "network": N_("network"),
    "idle": N_("idle"), "on-call": N_("on-call"), "history": N_("history"),
    "branding": N_("branding"),
}


@dataclass(frozen=True)
class Finding:
    level: str  # "OK", "WARN", "FAIL"
    topic: str
    sentence: Sentence

    def translated(self) -> str:
        """The line as the window shows it, in the chosen language."""
        level = _(LEVEL_WORDS.get(self.level, self.level))
        topic = _(TOPIC_WORDS.get(self.topic, self.topic))
        return _("{level} {topic}: {sentence}").format(
            level=level, topic=topic, sentence=self.sentence.translated())
