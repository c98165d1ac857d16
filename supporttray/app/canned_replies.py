"""Staff's canned replies (`staff.canned_replies`), kept in the user's settings file.

The one app-side writer of settings: the chat service only asks it for the snippets and hands
it new ones, so it never holds the whole settings bag.
"""

from __future__ import annotations

import logging
from typing import Protocol

from supporttray.config.settings import SettingLocked, Settings, SettingsError
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence, SentenceError

log = logging.getLogger("supporttray.app")

CANNED_KEY = "staff.canned_replies"


class CannedRepliesError(SentenceError):
    """The canned replies cannot be changed; the sentence says why. `locked`: by policy."""

    def __init__(self, sentence: Sentence | str, *, locked: bool = False) -> None:
        super().__init__(sentence)
        self.locked = locked


class CannedReplyStore(Protocol):
    """Where the snippets live (the settings file; tests may keep them anywhere)."""

    def templates(self) -> list[str]: ...

    def locked(self) -> bool: ...

    def keep(self, templates: list[str]) -> list[str]: ...


class SettingsCannedReplies:
    """The snippets in the user's settings file, or enforced by policy (then read-only)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def templates(self) -> list[str]:
        return self._settings.get_str_list(CANNED_KEY)

    def locked(self) -> bool:
        return self._settings.is_locked(CANNED_KEY)

    def keep(self, templates: list[str]) -> list[str]:
        """Keep these snippets (blank ones dropped) in the user's settings file. Returns what
        was kept. CannedRepliesError, with nothing changed, when the policy locks them or the
        file cannot be written."""
        kept = [t.strip() for t in templates if t.strip()]
        before = self._settings.user_values().get(CANNED_KEY)
        try:
            self._settings.set(CANNED_KEY, kept)
        except SettingLocked as exc:
            raise CannedRepliesError(
                Sentence(N_("Your organisation manages these replies; they cannot be changed "
                            "here.")),
                locked=True,
            ) from exc
        except SettingsError as exc:
            raise CannedRepliesError(Sentence(N_("The replies cannot be kept: {reason}"),
                                              {"reason": exc.message})) from exc
        try:
            self._settings.save()
        except OSError as exc:
            # Back to what was there: the menu must not offer replies that are not on disk.
            if before is None:
                self._settings.reset(CANNED_KEY)
            else:
                self._settings.set(CANNED_KEY, before)
            log.warning("could not save the canned replies", exc_info=True)
            path = self._settings.path
            where = str(path) if path else Sentence(N_("the settings file"))
            raise CannedRepliesError(Sentence(
                N_("The replies could not be saved to {where} ({reason}). Your edits are still "
                   "here: check that you may write to that file, then save again."),
                {"where": where, "reason": exc.strerror or exc})) from exc
        log.info("saved %d canned replies", len(kept))
        return kept
