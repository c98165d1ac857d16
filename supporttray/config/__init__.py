"""Settings and machine policy (TOML), file locations (platformdirs) and passwords (keyring).

The lowest layer: imports nothing from the rest of SupportTray, and neither Qt nor slixmpp.
Import from the submodules (`supporttray.config.settings`, ...): this package re-exports only
the light ones, so reading settings does not load keyring (~50 ms) before the tray is shown.
"""

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
    "SYSINFO_FIELDS",
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
