"""The machine policy from every place IT may have written it: the TOML file, then the
platform's own management source laid over it (the registry on Windows, managed preferences
on macOS), whose values win key by key (config/policy.py: Policy.overlaid_with)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from supporttray.config.policy import Policy, load_policy
from supporttray.config.policy_macos import ManagedPlist, ManagedPreferences, read_managed_policy
from supporttray.config.policy_windows import Winreg, read_registry_policy, system_winreg


def load_machine_policy(
    path: Path, *, explicit: bool, platform: str | None = None, winreg: Winreg | None = None,
    preferences: ManagedPreferences | None = None,
) -> Policy:
    """The file's policy with the platform's source over it; PolicyError from either.

    The platform's source applies with `--policy` too: Group Policy and configuration profiles
    are the machine's, whoever names a file.
    """
    policy = load_policy(path, explicit=explicit)
    platform = platform or sys.platform
    if platform == "win32":
        return policy.overlaid_with(read_registry_policy(winreg or system_winreg()))
    if platform == "darwin":
        managed = preferences or ManagedPlist(user=_login_name())
        return policy.overlaid_with(read_managed_policy(managed))
    return policy


def _login_name() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid
        return None
