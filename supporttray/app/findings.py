"""One line of a diagnosis: `doctor` prints them, the Sign-in window's "Check connection" shows
them; both from the same checks (doctor.py), so the person reads the same sentences."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    level: str  # "OK", "WARN", "FAIL"
    topic: str
    sentence: str
