"""Saving settings rewrites the file in place: comments, layout and untouched values stay."""

from __future__ import annotations

import tomllib
from pathlib import Path

from supporttray.config.paths import resolve_paths
from supporttray.config.policy import Policy
from supporttray.config.settings import Settings, load_settings
from supporttray.config.settings_edit import update_settings_text

FILE = """\
# My settings.
history.retention_days = 90   # legal asked for 90

[sysinfo]
# Only what support needs.
fields = ["os.name", "host.name"]
consent = "always"
"""


def test_changed_values_keep_their_comments_and_places() -> None:
    out = update_settings_text(FILE, {"history.retention_days": 30,
                                      "sysinfo.fields": ("os.name",), "sysinfo.consent": "always"})
    assert out == FILE.replace("= 90 ", "= 30 ").replace('["os.name", "host.name"]', '["os.name"]')


def test_a_new_key_is_added_and_a_dropped_one_removed() -> None:
    out = update_settings_text(FILE, {"history.retention_days": 90, "sysinfo.fields": ("os.name",),
                                      "app.autostart": False, "sysinfo.consent": "always"})
    data = tomllib.loads(out)
    assert data["app"] == {"autostart": False}
    assert "# My settings." in out and "# Only what support needs." in out
    out = update_settings_text(out, {"app.autostart": False})
    assert tomllib.loads(out) == {"app": {"autostart": False}, "sysinfo": {}}


def test_tables_of_links_and_lists_are_written_as_toml() -> None:
    out = update_settings_text("# hi\n", {"branding.links": {"Call us": "tel:+1555"},
                                          "staff.canned_replies": ("a \"b\"", "c")})
    assert tomllib.loads(out) == {"branding": {"links": {"Call us": "tel:+1555"}},
                                  "staff": {"canned_replies": ['a "b"', "c"]}}


def test_settings_save_keeps_a_hand_written_file_and_writes_a_new_one_plainly(
        tmp_path: Path) -> None:
    paths = resolve_paths(str(tmp_path), {})
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text(FILE, encoding="utf-8")
    settings = load_settings(paths, Policy.empty())
    settings.set("staff.sound", True)
    settings.save()
    text = paths.settings_file.read_text(encoding="utf-8")
    assert "legal asked for 90" in text and "# Only what support needs." in text
    assert load_settings(paths, Policy.empty()).get_bool("staff.sound") is True

    fresh = Settings(Policy.empty(), path=tmp_path / "new.toml")
    fresh.set("staff.sound", True)
    fresh.save()
    assert (tmp_path / "new.toml").read_text(encoding="utf-8").endswith("staff.sound = true\n")
