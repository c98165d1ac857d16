"""Settings and machine policy (TOML), file locations (platformdirs) and passwords (keyring).

The lowest layer: imports nothing from the rest of SupportTray, and neither Qt nor slixmpp.
"""

from supporttray.config.credentials import SERVICE, CredentialError, CredentialStore
from supporttray.config.paths import Paths, resolve_paths
from supporttray.config.policy import Policy, PolicyError, load_policy, policy_path
from supporttray.config.schema import KEYS, SYSINFO_FIELDS, KeySpec
from supporttray.config.settings import (
    SettingLocked,
    Settings,
    SettingsError,
    Source,
    load_settings,
)

__all__ = [
    "KEYS",
    "SERVICE",
    "SYSINFO_FIELDS",
    "CredentialError",
    "CredentialStore",
    "KeySpec",
    "Paths",
    "Policy",
    "PolicyError",
    "SettingLocked",
    "Settings",
    "SettingsError",
    "Source",
    "load_policy",
    "load_settings",
    "policy_path",
    "resolve_paths",
]
