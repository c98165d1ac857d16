r"""The machine policy Group Policy writes: `HKLM\Software\Policies\SupportTray`.

Two subkeys use the policy file's two tables: `Defaults` (the user may change) and `Enforced`
(locked). Each value is named with the setting's dotted key (`server.domain`) and holds:
a string (REG_SZ / REG_EXPAND_SZ) for text; a REG_DWORD (or the digits as a string, which is
what an MSI property writes) for numbers and switches (0 / 1); a REG_MULTI_SZ, or one string
of items separated by commas or semicolons, for lists; a subkey named with the key whose values
are label = link for `branding.links`; an empty string is no value. The ADMX template and the
MSI's properties (packaging/windows/) write this layout.

The module takes the `winreg` module as an argument, so tests pass a fake and nothing here
needs Windows; values become a Policy, which validates them like the file's.
"""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path, PureWindowsPath
from typing import Any, Protocol, cast

from supporttray.config.policy import Policy, PolicyError
from supporttray.config.schema import KeySpec, spec_for

log = logging.getLogger("supporttray.config")

POLICY_KEY = r"Software\Policies\SupportTray"
_HIVE_NAME = "HKLM"
_TABLES = {"Defaults": "defaults", "Enforced": "enforced"}


class RegistryKey(Protocol):
    """An open key, as winreg returns it (a context manager that closes it)."""

    def __enter__(self) -> RegistryKey: ...

    def __exit__(self, *exc: object) -> None: ...


class Winreg(Protocol):
    """The part of the standard `winreg` module this reader uses."""

    HKEY_LOCAL_MACHINE: int
    KEY_READ: int
    KEY_WOW64_64KEY: int
    REG_SZ: int
    REG_EXPAND_SZ: int
    REG_MULTI_SZ: int
    REG_DWORD: int
    REG_QWORD: int

    def OpenKey(self, key: Any, sub_key: str, reserved: int = 0,
                access: int = ...) -> RegistryKey: ...

    def EnumValue(self, key: Any, index: int) -> tuple[str, object, int]: ...

    def EnumKey(self, key: Any, index: int) -> str: ...


def system_winreg() -> Winreg:
    """The real `winreg` (Windows only)."""
    return cast(Winreg, importlib.import_module("winreg"))


def registry_path(table: str | None = None) -> PureWindowsPath:
    r"""`HKLM\Software\Policies\SupportTray[\<table>]`, as doctor and errors name it."""
    base = PureWindowsPath(_HIVE_NAME, POLICY_KEY)
    return base / table if table else base


def read_registry_policy(winreg: Winreg) -> Policy:
    """The policy under HKLM's Policies key: an empty Policy if the key is absent, PolicyError
    for a value that cannot be used (all or nothing, like the file)."""
    layers: dict[str, dict[str, object]] = {"defaults": {}, "enforced": {}}
    origins: dict[str, str] = {}
    # The 64-bit view: a 32-bit build must read what 64-bit Group Policy wrote.
    access = winreg.KEY_READ | winreg.KEY_WOW64_64KEY
    for subkey, table in _TABLES.items():
        where = registry_path(subkey)
        try:
            key = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, f"{POLICY_KEY}\\{subkey}", 0, access)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise PolicyError(f"cannot read the registry key: {exc}",
                              path=_as_path(where)) from None
        with key:
            for name, value in _values(winreg, key).items():
                layers[table][name] = _converted(winreg, name, value, where)
                origins.setdefault(name, str(where))
            for name in _subkeys(winreg, key):
                layers[table][name] = _map_value(winreg, key, name, where, access)
                origins.setdefault(name, str(where))
    # A key in both tables: the lock is what applies, so that is where it came from.
    for name in layers["enforced"]:
        origins[name] = str(registry_path("Enforced"))
    if not layers["defaults"] and not layers["enforced"]:
        return Policy.empty()
    policy = Policy(source=_as_path(registry_path()), defaults=layers["defaults"],
                    enforced=layers["enforced"], origins=origins)
    log.info("registry policy %s: %d preset, %d enforced", registry_path(),
             len(policy.defaults), len(policy.enforced))
    return policy


def _as_path(where: PureWindowsPath) -> Path:
    # PolicyError and Policy name their source with a Path; a registry key prints the same.
    return Path(str(where))


def _values(winreg: Winreg, key: RegistryKey) -> dict[str, tuple[object, int]]:
    found: dict[str, tuple[object, int]] = {}
    index = 0
    while True:
        try:
            name, value, kind = winreg.EnumValue(key, index)
        except OSError:  # ERROR_NO_MORE_ITEMS
            return found
        # The key's unnamed default value means nothing here; an empty string is what the
        # MSI writes for a property nobody gave (packaging/windows/SupportTray.wxs): not set.
        if name and not (isinstance(value, str) and not value.strip()):
            found[name] = (value, kind)
        index += 1


def _subkeys(winreg: Winreg, key: RegistryKey) -> list[str]:
    names = []
    index = 0
    while True:
        try:
            names.append(winreg.EnumKey(key, index))
        except OSError:
            return names
        index += 1


def _map_value(winreg: Winreg, parent: RegistryKey, name: str, where: PureWindowsPath,
               access: int) -> dict[str, str]:
    """A subkey of label = text values: the one way the registry holds a table."""
    spec = _spec(name)
    if spec is None or spec.kind != "str_map":
        raise PolicyError(f"unknown subkey {name!r}: only a table setting "
                          "(e.g. branding.links) is a subkey", path=_as_path(where), key=name)
    with winreg.OpenKey(parent, name, 0, access) as key:
        return {label: str(value) for label, (value, _kind) in _values(winreg, key).items()}


def _converted(winreg: Winreg, name: str, stored: tuple[object, int],
               where: PureWindowsPath) -> object:
    """The registry value as the schema's type; what cannot be converted is passed on as it is,
    so the Policy's validation names the key and says what is wrong."""
    value, kind = stored
    spec = _spec(name)
    if spec is None:
        return value  # Policy says "unknown setting; did you mean ...?"
    text = value.strip() if isinstance(value, str) else None
    try:
        if spec.kind == "bool":
            if isinstance(value, int):
                return bool(value) if value in (0, 1) else value
            if text is not None and text.lower() in ("0", "1", "true", "false"):
                return text.lower() in ("1", "true")
        elif spec.kind == "int" and text is not None and text.lstrip("-").isdigit():
            return int(text)
        elif spec.kind == "float" and text is not None:
            return float(text)
        elif spec.kind == "float" and isinstance(value, int):
            return float(value)
        elif spec.kind == "str_list":
            if kind == winreg.REG_MULTI_SZ and isinstance(value, list):
                return [str(item).strip() for item in value if str(item).strip()]
            if text is not None:
                return [item.strip() for item in text.replace(";", ",").split(",")
                        if item.strip()]
    except ValueError:
        pass
    if kind == winreg.REG_EXPAND_SZ and isinstance(value, str):
        return os.path.expandvars(value)
    return value


def _spec(name: str) -> KeySpec | None:
    """The schema's spec of `name` (a family member such as groups.dev-team too), or None."""
    try:
        return spec_for(name)
    except KeyError:
        return None
