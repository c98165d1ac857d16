"""What the Settings window changes: checked, saved, then handed to whoever applies it live.

The window only knows keys and values. Here a value is judged by the schema (and, for on-call
hours, by core's grammar, which config cannot import), the whole batch is saved or nothing is,
and the listeners (the composition root's `LiveSettings`) make the running app follow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from supporttray.config.mode import Mode
from supporttray.config.schema import KEYS, InvalidValue, KeySpec, validate
from supporttray.config.settings import SettingLocked, Settings
from supporttray.core.on_call import OnCallHoursError, parse_on_call_hours
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence, SentenceError

log = logging.getLogger("supporttray.app")

Listener = Callable[[frozenset[str]], None]


class SettingsSaveError(SentenceError):
    """The changes could not be kept; the sentence says why and what to do. Nothing changed."""


class SettingsEditor:
    """The user-changeable settings of this mode, read and changed as one batch."""

    def __init__(self, settings: Settings, mode: Mode) -> None:
        self.settings = settings
        self._mode = mode
        self._listeners: list[Listener] = []

    def shown(self) -> list[KeySpec]:
        """The keys the window shows, in schema order: everyone's, and staff's to staff."""
        shown = ("everyone", "staff") if self._mode is Mode.STAFF else ("everyone",)
        return [spec for spec in KEYS.values() if spec.audience in shown]

    def value(self, key: str) -> object:
        return self.settings.get(key)

    def is_locked(self, key: str) -> bool:
        return self.settings.is_locked(key)

    def problem(self, key: str, value: object) -> Sentence | None:
        """What is wrong with `value` for `key`, as a phrase; None if it may be saved."""
        try:
            checked = validate(key, value)
        except InvalidValue as exc:
            return exc.sentence
        if key == "presence.on_call_hours" and isinstance(checked, str):
            try:
                parse_on_call_hours(checked)
            except OnCallHoursError as exc:
                return exc.sentence
        return None

    def subscribe(self, listener: Listener) -> None:
        """`listener(keys)` after each save that changed `keys`."""
        self._listeners.append(listener)

    def save(self, changes: Mapping[str, object]) -> frozenset[str]:
        """Keep `changes` (values the window checked with `problem`); returns the keys that
        changed. SettingsSaveError, with the settings as they were, if the file cannot be
        written or a key is locked."""
        changed = {k: v for k, v in changes.items() if validate(k, v) != validate(k, self.value(k))}
        if not changed:
            return frozenset()
        before = self.settings.user_values()
        try:
            for key, value in changed.items():
                self.settings.set(key, value)
            self.settings.save()
        except (OSError, SettingLocked) as exc:
            self._restore(before, changed)
            log.warning("could not save settings", exc_info=True)
            if isinstance(exc, SettingLocked):
                raise SettingsSaveError(exc.sentence) from exc
            path = self.settings.path
            where = str(path) if path else Sentence(N_("the settings file"))
            raise SettingsSaveError(Sentence(
                N_("The settings could not be saved to {where} ({reason}). Check that you may "
                   "write to that file, then save again."),
                {"where": where, "reason": exc.strerror or exc})) from exc
        keys = frozenset(changed)
        log.info("settings changed: %s", ", ".join(sorted(keys)))
        for listener in list(self._listeners):
            try:
                listener(keys)
            except Exception:
                # Saved is saved: one part failing to follow must not hide that from the user.
                log.exception("applying the changed settings %s failed", sorted(keys))
        return keys

    def _restore(self, before: Mapping[str, object], keys: Mapping[str, object]) -> None:
        for key in keys:
            if self.settings.is_locked(key):
                continue
            if key in before:
                self.settings.set(key, before[key])
            else:
                self.settings.reset(key)
