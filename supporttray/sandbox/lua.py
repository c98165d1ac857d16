"""The two bits of Lua syntax the sandbox writes: string literals and Prosody's path encoding."""

from __future__ import annotations

from collections.abc import Iterable


def lua_string(value: str) -> str:
    """A double-quoted Lua string literal for `value` (any text, including quotes and newlines)."""
    out = ['"']
    for byte in value.encode("utf-8"):
        char = chr(byte)
        if char in '"\\':
            out.append("\\" + char)
        elif byte < 0x20 or byte == 0x7F:
            # Decimal escapes with three digits cannot run into a following digit.
            out.append(f"\\{byte:03d}")
        elif byte < 0x80:
            out.append(char)
        else:
            # Lua strings are bytes; a decimal escape keeps the file pure ASCII.
            out.append(f"\\{byte:03d}")
    out.append('"')
    return "".join(out)


def lua_list(values: Iterable[str | int]) -> str:
    """A Lua array of strings or integers: `{ "a", 2 }`."""
    items = [lua_string(v) if isinstance(v, str) else str(int(v)) for v in values]
    return "{ " + ", ".join(items) + " }" if items else "{ }"


def prosody_path_encode(name: str) -> str:
    """Encode a host or user name the way Prosody's datamanager names its directories and files.

    `util/datamanager.lua` replaces every byte that is not an ASCII letter or digit (Lua's `%W`)
    with `%xx` in lower-case hex, so `example.com` becomes `example%2ecom`.
    """
    return "".join(
        chr(b) if (0x30 <= b <= 0x39 or 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A) else f"%{b:02x}"
        for b in name.encode("utf-8")
    )
