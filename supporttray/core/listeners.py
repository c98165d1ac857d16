"""A small typed listener list: how core objects tell the layers above that they changed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

E = TypeVar("E")
log = logging.getLogger("supporttray.core")


class Listeners(Generic[E]):
    """Callbacks that receive one event type; a failing callback is logged, never propagated."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[E], None]] = []

    def subscribe(self, callback: Callable[[E], None]) -> Callable[[], None]:
        """Add a callback; returns the function that removes it again."""
        self._callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return unsubscribe

    def emit(self, event: E) -> None:
        # Copy: a callback may unsubscribe itself while we iterate.
        for callback in list(self._callbacks):
            try:
                callback(event)
            except Exception:
                log.exception("listener %r failed on %r", callback, event)

    def __len__(self) -> int:
        return len(self._callbacks)
