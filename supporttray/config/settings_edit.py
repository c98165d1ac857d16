"""Rewrite a user settings file in place: new values in, old ones out, a person's comments kept.

Someone who wrote `# 90 days: what legal asked for` above a setting must still find it after
the Settings window saved. tomlkit keeps comments, blank lines and the spelling of keys; it is
imported only here, on save, so that starting the app does not pay for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from supporttray.config.schema import is_known_key


def update_settings_text(text: str, values: Mapping[str, object]) -> str:
    """`text` (a settings file tomllib has read) with exactly `values` as its settings.

    A key already written keeps its place, its spelling (`[staff] sound = ...` or
    `staff.sound = ...`) and its comments; a new key is added as a dotted key in the nearest
    table that exists; a key no longer in `values` is removed (with its line).
    """
    import tomlkit

    doc = tomlkit.parse(text)
    for path in list(_setting_paths(doc, ())):
        if ".".join(path) not in values:
            _remove(doc, path)
    for key, value in values.items():
        _put(doc, key.split("."), _toml_item(value))
    return tomlkit.dumps(doc)


def _setting_paths(table: Mapping[str, Any], path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    for name, value in table.items():
        key_path = (*path, str(name))
        if is_known_key(".".join(key_path)) or not isinstance(value, Mapping):
            yield key_path
        else:
            yield from _setting_paths(value, key_path)


def _remove(doc: Any, path: tuple[str, ...]) -> None:
    container = doc
    for part in path[:-1]:
        container = container[part]
    del container[path[-1]]


def _put(doc: Any, parts: list[str], item: object) -> None:
    import tomlkit

    container = doc
    for index, part in enumerate(parts[:-1]):
        child = container.get(part) if hasattr(container, "get") else None
        if not isinstance(child, Mapping):
            # No table of that name yet: one dotted line (`staff.sound = true`) says it all.
            container.add(tomlkit.key(parts[index:]), item)
            return
        container = child
    last = parts[-1]
    if last in container and container[last] == _plain(item):
        return  # unchanged: leave its text (number format, quoting) as the person wrote it
    container[last] = item


def _plain(item: object) -> object:
    unwrap = getattr(item, "unwrap", None)
    return unwrap() if callable(unwrap) else item


def _toml_item(value: object) -> object:
    import tomlkit

    if isinstance(value, tuple | list):
        array = tomlkit.array()
        array.extend(value)
        return array
    if isinstance(value, Mapping):
        table = tomlkit.inline_table()
        table.update(dict(value))
        return table
    return tomlkit.item(value)
