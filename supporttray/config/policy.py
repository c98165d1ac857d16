"""The machine policy IT installs: settings preset (`[defaults]`) and locked (`[enforced]`).

The policy is all or nothing: `load_policy` returns a complete, validated Policy or raises
PolicyError, so the app never runs with half a policy (a lock silently dropped is a lock
bypassed).

Windows also keeps policy under `HKLM\\Software\\Policies\\SupportTray` (config/policy_windows.py)
and macOS in managed preferences (config/policy_macos.py); config/machine_policy.py lays those
over the file. Each Policy remembers where each of its keys came from, for `doctor`.
"""

from __future__ import annotations

import difflib
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from supporttray.config.schema import (
    KEYS,
    InvalidValue,
    is_known_key,
    unknown_key_message,
    validate,
)
from supporttray.config.tomlfile import ConfigFileError, KeyLocator, flatten_settings, read_toml
from supporttray.language.sentence import Sentence

log = logging.getLogger("supporttray.config")

POLICY_ENV = "SUPPORTTRAY_POLICY"
_TABLES = ("defaults", "enforced")


class PolicyError(ConfigFileError):
    """A policy file that cannot be used, said in one line a human can act on.

    `str(e)` reads `<file>:<line>: <what is wrong> (key 'server.port')`; line and key are left
    out when they do not apply (an unreadable file has neither).
    """

    path: Path

    def __init__(
        self, message: Sentence | str, *, path: Path, line: int | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message, path=path, line=line, key=key)


# A policy built in code (tests, the demo) has no file; errors about it still need a name.
_IN_CODE = Path("<policy>")


@dataclass(frozen=True)
class Policy:
    """Validated policy layers: {dotted key: value} for `[defaults]` and for `[enforced]`.

    Constructing one validates it (PolicyError on an unknown key or bad value) and canonicalises
    values: floats as float, string lists as tuples. The mappings are read-only.
    """

    source: Path | None
    defaults: Mapping[str, object] = field(default_factory=dict)
    enforced: Mapping[str, object] = field(default_factory=dict)
    # Where a key was set when that is not `source` (a registry key, a managed preference).
    origins: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in _TABLES:
            layer: Mapping[str, object] = getattr(self, name)
            checked: dict[str, object] = {}
            for key, value in layer.items():
                if not is_known_key(key):
                    raise PolicyError(
                        unknown_key_message(key), path=self.source or _IN_CODE, key=key
                    )
                try:
                    checked[key] = validate(key, value)
                except InvalidValue as exc:
                    raise PolicyError(exc.sentence, path=self.source or _IN_CODE,
                                      key=key) from None
            # Frozen dataclass: the canonical, read-only copy replaces what the caller passed.
            object.__setattr__(self, name, MappingProxyType(checked))
        object.__setattr__(self, "origins", MappingProxyType(dict(self.origins)))

    @classmethod
    def empty(cls) -> Policy:
        """No policy at all: every setting is the built-in default and nothing is locked."""
        return cls(source=None)

    def origin(self, key: str) -> str | None:
        """Where the policy's value of `key` was written (a file, a registry key, a managed
        preference domain); None if the policy does not set it."""
        if key not in self.enforced and key not in self.defaults:
            return None
        return self.origins.get(key) or str(self.source or _IN_CODE)

    def overlaid_with(self, other: Policy) -> Policy:
        """This policy with `other`'s values winning key by key, table by table.

        A lock from either stays a lock: a key `other` only presets keeps this policy's lock,
        so a second source can tighten the file but never quietly loosen it.
        """
        if not other.defaults and not other.enforced:
            return self
        enforced = {**self.enforced, **other.enforced}
        defaults = {**self.defaults, **other.defaults}
        origins: dict[str, str] = {}
        for key in {*enforced, *defaults}:
            # The origin of the value that applies: the lock if there is one, else the preset.
            table = "enforced" if key in enforced else "defaults"
            winner = other if key in getattr(other, table) else self
            origins[key] = winner.origin(key) or ""
        return Policy(source=self.source, defaults=defaults, enforced=enforced, origins=origins)


def policy_path(
    cli_path: str | None, environ: Mapping[str, str], *, platform: str | None = None
) -> tuple[Path, bool]:
    """Where the policy is: `--policy FILE`, else $SUPPORTTRAY_POLICY, else the platform location.

    The bool says whether the file was named explicitly; an explicitly named file must exist.
    `platform` defaults to sys.platform (tests pass another).
    """
    if cli_path:
        return Path(cli_path).expanduser(), True
    if from_env := environ.get(POLICY_ENV, "").strip():
        return Path(from_env).expanduser(), True
    return _platform_policy_path(environ, platform or sys.platform), False


def _platform_policy_path(environ: Mapping[str, str], platform: str) -> Path:
    if platform == "win32":
        program_data = environ.get("ProgramData") or environ.get("PROGRAMDATA") or r"C:\ProgramData"
        return Path(program_data) / "SupportTray" / "policy.toml"
    if platform == "darwin":
        return Path("/Library/Application Support/SupportTray/policy.toml")
    return Path("/etc/supporttray/policy.toml")


def load_policy(path: Path, *, explicit: bool) -> Policy:
    """Read and validate the policy file: a complete Policy, or PolicyError.

    A missing file is no policy (Policy.empty()) unless it was named explicitly; then it is an
    error, because someone meant a policy to apply. A file that exists but cannot be read is
    always an error: running without the locks IT installed would be worse than not starting.
    """
    try:
        data, locator = read_toml(path, PolicyError)
    except FileNotFoundError:
        if explicit:
            raise PolicyError(
                f"policy file not found (named by --policy or {POLICY_ENV})", path=path
            ) from None
        log.debug("no machine policy at %s; using built-in defaults", path)
        return Policy.empty()
    _reject_other_top_level(data, path, locator)
    layers = {name: _layer(data, name, path, locator) for name in _TABLES}
    policy = Policy(source=path, defaults=layers["defaults"], enforced=layers["enforced"])
    log.info(
        "machine policy %s: %d preset, %d enforced",
        path,
        len(policy.defaults),
        len(policy.enforced),
    )
    return policy


def _layer(
    data: Mapping[str, object], name: str, path: Path, locator: KeyLocator
) -> dict[str, object]:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise PolicyError(
            f"'{name}' must be a table ([{name}]), not a single value",
            path=path,
            line=locator.line_of((name,)),
        )
    return flatten_settings(table, prefix=(name,), locator=locator, path=path, error=PolicyError)


def _reject_other_top_level(data: Mapping[str, object], path: Path, locator: KeyLocator) -> None:
    for name in data:
        if name in _TABLES:
            continue
        close = difflib.get_close_matches(name, _TABLES, n=1)
        if close:
            hint = f"; did you mean [{close[0]}]?"
        elif name in {key.split(".", 1)[0] for key in KEYS}:
            # Someone wrote `server.port = 5222` (or [server]) outside both tables.
            hint = "; settings go inside [defaults] or [enforced]"
        else:
            hint = "; a policy has only the tables [defaults] and [enforced]"
        raise PolicyError(
            f"unknown top-level entry {name!r}{hint}", path=path, line=locator.line_of((name,))
        )
