"""A window built the first time it is needed, not at start.

The idle tray is judged by its memory (bench/idle.py: at most 1.10x a bare tray), and a window
nobody opens costs its widgets, fonts and layouts all the same: Settings and Sign-in are built
on first use, like the ask and chat windows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

W = TypeVar("W")


class OnDemand(Generic[W]):
    """`get()` builds with `build` once and returns the same object after."""

    def __init__(self, build: Callable[[], W]) -> None:
        self._build = build
        self._built: W | None = None

    @property
    def built(self) -> W | None:
        """The object if it has been built, else None (nothing is built by asking)."""
        return self._built

    def get(self) -> W:
        if self._built is None:
            self._built = self._build()
        return self._built
