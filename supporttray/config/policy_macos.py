"""The machine policy a configuration profile installs on macOS: managed preferences of the
domain `com.supporttray.SupportTray`.

A profile's payload for that domain becomes managed preferences; a forced one (what MDM
profiles install) is enforced, one that is not forced (a "set once" preference) is a preset.
Each preference is named with the setting's dotted key (`server.domain`) and holds the plist
type of the setting: string, integer, real, boolean, array of strings, or a dictionary of
label = link for `branding.links`. packaging/macos/SupportTray.mobileconfig is an example.

The reader is an argument, so tests pass a fake; the real one reads the plist macOS keeps of
the managed preferences, where every value is forced.
"""

from __future__ import annotations

import logging
import plistlib
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from supporttray.config.policy import Policy, PolicyError

log = logging.getLogger("supporttray.config")

DOMAIN = "com.supporttray.SupportTray"
# Where macOS writes the managed preferences of a device profile (and of a user's, per user).
MANAGED_DIR = Path("/Library/Managed Preferences")


class ManagedPreferences(Protocol):
    """What CFPreferences tells of a domain: its key names, a key's value, whether it is forced."""

    def names(self) -> Iterable[str]: ...

    def value(self, key: str) -> object: ...

    def is_forced(self, key: str) -> bool: ...


class ManagedPlist:
    """The managed preferences macOS keeps in `/Library/Managed Preferences`: the device's
    file, then the user's own (which wins). Every value there is forced."""

    def __init__(self, user: str | None, directory: Path = MANAGED_DIR) -> None:
        self._values: dict[str, object] = {}
        self.files: list[Path] = []
        candidates = [directory / f"{DOMAIN}.plist"]
        if user:
            candidates.append(directory / user / f"{DOMAIN}.plist")
        for path in candidates:
            try:
                with path.open("rb") as stream:
                    data = plistlib.load(stream)
            except FileNotFoundError:
                continue
            except (OSError, plistlib.InvalidFileException, ValueError) as exc:
                raise PolicyError(f"cannot read the managed preferences: {exc}",
                                  path=path) from None
            if not isinstance(data, dict):
                raise PolicyError("managed preferences must be a dictionary", path=path)
            self.files.append(path)
            self._values.update(data)

    def names(self) -> Iterable[str]:
        return list(self._values)

    def value(self, key: str) -> object:
        return self._values[key]

    def is_forced(self, key: str) -> bool:
        return True


def managed_path() -> Path:
    """How doctor and errors name this source: the preference domain."""
    return Path(f"managed preferences {DOMAIN}")


def read_managed_policy(preferences: ManagedPreferences) -> Policy:
    """The managed preferences as a Policy (forced = enforced, the rest preset): an empty
    Policy if there are none, PolicyError for one that cannot be used."""
    layers: dict[str, dict[str, object]] = {"defaults": {}, "enforced": {}}
    # A profile's own keys (PayloadUUID, PayloadDisplayName, ...) say nothing about settings.
    for key in preferences.names():
        if key.startswith("Payload"):
            continue
        value = preferences.value(key)
        table = "enforced" if preferences.is_forced(key) else "defaults"
        layers[table][key] = list(value) if isinstance(value, tuple) else value
    if not layers["defaults"] and not layers["enforced"]:
        return Policy.empty()
    policy = Policy(source=managed_path(), defaults=layers["defaults"],
                    enforced=layers["enforced"])
    log.info("managed preferences %s: %d preset, %d enforced", DOMAIN,
             len(policy.defaults), len(policy.enforced))
    return policy
