"""Settings and machine policy (TOML), file locations (platformdirs) and passwords (keyring).

The lowest layer: imports nothing from the rest of SupportTray, and neither Qt nor slixmpp.
Import from the submodules (`supporttray.config.settings`, ...): this package itself loads
nothing, so the password reader's child process (`config.password_source`) starts without
reading settings code it does not need.
"""
