"""Effective settings: built-in defaults < policy [defaults] < user settings < policy [enforced]."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from supporttray.config.atomic_file import write_atomically
from supporttray.config.paths import Paths
from supporttray.config.policy import Policy
from supporttray.config.schema import (
    KEYS,
    InvalidValue,
    KeySpec,
    Kind,
    is_known_key,
    spec_for,
    unknown_key_message,
    validate,
)
from supporttray.config.tomlfile import ConfigFileError, dump_settings, flatten_settings, read_toml
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence, SentenceError

log = logging.getLogger("supporttray.config")

Source = Literal["default", "policy-default", "user", "policy-enforced"]

_FILE_HEADER = (
    "SupportTray settings, written by the app when you change something.\n"
    "Settings your organisation's policy enforces are ignored here."
)


class SettingLocked(SentenceError):
    """The user tried to change a setting the machine policy enforces."""

    def __init__(self, key: str) -> None:
        super().__init__(Sentence(
            N_("'{key}' is set by your organisation's policy and cannot be changed here."),
            {"key": key}))
        self.key = key


class SettingsError(ConfigFileError):
    """A bad user settings file or value: `<file>:<line>: <what> (key '<key>')`.

    `path` is None for a value set in code on in-memory settings.
    """


class Settings:
    """The four layers, read through typed getters; only the user layer is ever written.

    `path=None` keeps everything in memory (tests); save() is then a no-op.
    """

    def __init__(
        self, policy: Policy, user: Mapping[str, object] | None = None, *, path: Path | None = None
    ) -> None:
        self.policy = policy
        self.path = path
        self._user: dict[str, object] = {}
        for key, value in (user or {}).items():
            self._user[key] = _checked(key, value, path)

    # -- reading ----------------------------------------------------------------------------

    def get(self, key: str) -> object:
        """The effective value; lists and tables come back as fresh ones. KeyError for an
        unknown key."""
        return _fresh(self._raw(key))

    def get_str(self, key: str) -> str:
        """A "str" or "choice" setting."""
        value = self._typed(key, ("str", "choice"))
        assert isinstance(value, str)
        return value

    def get_int(self, key: str) -> int:
        value = self._typed(key, ("int",))
        assert isinstance(value, int)
        return value

    def get_float(self, key: str) -> float:
        value = self._typed(key, ("float",))
        assert isinstance(value, float)
        return value

    def get_bool(self, key: str) -> bool:
        value = self._typed(key, ("bool",))
        assert isinstance(value, bool)
        return value

    def get_str_list(self, key: str) -> list[str]:
        value = self._typed(key, ("str_list",))
        assert isinstance(value, tuple)
        return [str(item) for item in value]

    def get_str_map(self, key: str) -> dict[str, str]:
        """A "str_map" setting (label = text), in the order it was written."""
        value = self._typed(key, ("str_map",))
        assert isinstance(value, Mapping)
        return {str(label): str(item) for label, item in value.items()}

    def get_family(self, family: str) -> dict[str, list[str]]:
        """A key family's members by name (`groups` -> {"dev-team": [JIDs]}), each layered as
        any setting is: a user's group adds to the policy's; one of the same name follows the
        usual order (policy default < user < enforced)."""
        prefix = family + "."
        names = {key[len(prefix):] for layer in (self.policy.defaults, self._user,
                                                 self.policy.enforced)
                 for key in layer if key.startswith(prefix)}
        return {name: self.get_str_list(prefix + name) for name in sorted(names)}

    def is_locked(self, key: str) -> bool:
        """True if the policy enforces `key`: the UI shows it read-only."""
        _spec_of(key)
        return key in self.policy.enforced

    def source(self, key: str) -> Source:
        """Which layer the effective value comes from."""
        _spec_of(key)
        if key in self.policy.enforced:
            return "policy-enforced"
        if key in self._user:
            return "user"
        if key in self.policy.defaults:
            return "policy-default"
        return "default"

    def as_dict(self) -> dict[str, object]:
        """Every key's effective value (lists as lists), e.g. for `doctor` or a settings dialog."""
        return {key: self.get(key) for key in KEYS}

    def user_values(self) -> dict[str, object]:
        """Only what the user set (the layer save() writes)."""
        return {key: _fresh(value) for key, value in self._user.items()}

    # -- changing ---------------------------------------------------------------------------

    def set(self, key: str, value: object) -> None:
        """Set a user value; SettingLocked if the policy enforces it, SettingsError if it is bad."""
        if not is_known_key(key):
            raise SettingsError(unknown_key_message(key), path=None, key=key)
        if self.is_locked(key):
            raise SettingLocked(key)
        self._user[key] = _checked(key, value, None)

    def reset(self, key: str) -> None:
        """Forget the user's value, so the policy default or built-in default applies again."""
        if not is_known_key(key):
            raise SettingsError(unknown_key_message(key), path=None, key=key)
        if self.is_locked(key):
            raise SettingLocked(key)
        self._user.pop(key, None)

    def save(self) -> None:
        """Write the user layer to `path` atomically (temp file + rename), owner-only (0600),
        keeping the comments and layout of the file that is there."""
        if self.path is None:
            return
        try:
            before = self.path.read_text(encoding="utf-8").removeprefix("\ufeff")
        except FileNotFoundError:
            before = None
        if before is None or not before.strip():
            text = dump_settings(self._user, header=_FILE_HEADER)
        else:
            # A file a person may have edited: keep their comments and layout.
            from supporttray.config.settings_edit import update_settings_text

            text = update_settings_text(before, self._user)
        write_atomically(self.path, text)
        log.debug("saved %d user settings to %s", len(self._user), self.path)

    # -- internals --------------------------------------------------------------------------

    def _raw(self, key: str) -> object:
        spec = _spec_of(key)
        for layer in (self.policy.enforced, self._user, self.policy.defaults):
            if key in layer:
                return layer[key]
        return spec.default

    def _typed(self, key: str, kinds: tuple[Kind, ...]) -> object:
        spec = _spec_of(key)
        if spec.kind not in kinds:
            # A programming error: the caller asked for the wrong type of a known key.
            raise TypeError(f"setting '{key}' is a {spec.kind}, not a {' or '.join(kinds)}")
        return self._raw(key)


def load_settings(paths: Paths, policy: Policy) -> Settings:
    """Settings for this instance: the user's file (if any) layered with the policy.

    SettingsError if the file is unreadable, not TOML, or holds an unknown key or bad value. A
    user value for a key the policy enforces is kept in the file but has no effect.
    """
    path = paths.settings_file
    try:
        data, locator = read_toml(path, SettingsError)
    except FileNotFoundError:
        return Settings(policy, path=path)
    user = flatten_settings(data, prefix=(), locator=locator, path=path, error=SettingsError)
    overridden = sorted(key for key in user if key in policy.enforced)
    if overridden:
        log.info("policy enforces %s; the user's values are ignored", ", ".join(overridden))
    return Settings(policy, user, path=path)


def _fresh(value: object) -> object:
    """A copy the caller may change: settings keep lists as tuples and tables read-only."""
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return value


def _spec_of(key: str) -> KeySpec:
    try:
        return spec_for(key)
    except KeyError:
        raise KeyError(f"unknown setting '{key}'") from None


def _checked(key: str, value: object, path: Path | None) -> object:
    if not is_known_key(key):
        raise SettingsError(unknown_key_message(key), path=path, key=key)
    try:
        return validate(key, value)
    except InvalidValue as exc:
        raise SettingsError(exc.sentence, path=path, key=key) from None
