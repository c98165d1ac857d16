"""The TOML files config reads and writes: policy and user settings share this one code path.

tomllib parses but forgets where things were; an IT admin needs "policy.toml:7". So after a
successful parse, `KeyLocator` scans the same text once more and remembers the line on which
each key path was first written, whichever of TOML's spellings was used (`[a.b] c = 1`,
`[a] b.c = 1`, `[a] b = { c = 1 }`).
"""

from __future__ import annotations

import bisect
import logging
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path

from supporttray.config.schema import (
    KEYS,
    InvalidValue,
    is_known_key,
    unknown_key_message,
    validate,
)
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence, SentenceError

log = logging.getLogger("supporttray.config")

KeyPath = tuple[str, ...]


class ConfigFileError(SentenceError):
    """A problem in a config file, said in one line: `<file>:<line>: <what> (key '<key>')`.

    English in str() (the command line, the log); `message` is the <what> alone, a Sentence
    when a window may show it (a bad value: schema.InvalidValue's).
    """

    def __init__(
        self, message: Sentence | str, *, path: Path | None, line: int | None = None,
        key: str | None = None,
    ) -> None:
        self.message = message if isinstance(message, Sentence) else Sentence.verbatim(message)
        self.path = path
        self.line = line
        self.key = key
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        if key is None:
            super().__init__(Sentence("{where}{what}", {"where": where, "what": self.message}))
        else:
            # repr: a quoted key may hold a line break, and the message must stay one line.
            super().__init__(Sentence(N_("{where}{what} (key {key})"),
                                      {"where": where, "what": self.message, "key": repr(key)}))


# tomllib ends every message with its position: "(at line 3, column 9)" or "(at end of document)".
_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_AT_END = re.compile(r"\s*\(at end of document\)$")


def read_toml(path: Path, error: type[ConfigFileError]) -> tuple[dict[str, object], KeyLocator]:
    """Read and parse a TOML file, or raise `error` saying what is wrong and where.

    FileNotFoundError is left to the caller, which alone knows whether a missing file matters.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise error("is a directory, not a TOML file", path=path) from None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise error(f"cannot be read: {reason}", path=path) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise error(
            f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
            path=path,
            line=line,
        ) from None
    # Windows editors like to start UTF-8 files with a byte-order mark, which TOML does not allow.
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, text, path, error) from None
    except RecursionError:
        # tomllib recurses per level of nesting: a few hundred [[[...]]] exhaust the stack.
        raise error("TOML syntax error: values nested too deeply", path=path) from None
    except ValueError:
        # An integer of more than 4,300 digits: Python's int() refuses it inside tomllib.
        raise error("TOML syntax error: a number too long to read", path=path) from None
    return data, KeyLocator(text)


def _syntax_error(
    exc: tomllib.TOMLDecodeError, text: str, path: Path, error: type[ConfigFileError]
) -> ConfigFileError:
    message = str(exc)
    line: int | None = None
    if match := _POSITION.search(message):
        line = int(match.group(1))
        message = f"{message[: match.start()]} at column {match.group(2)}"
    elif match := _AT_END.search(message):
        line = max(1, text.count("\n") + (0 if text.endswith("\n") else 1))
        message = f"{message[: match.start()]} at the end of the file"
    return error(f"TOML syntax error: {message}", path=path, line=line)


class KeyLocator:
    """Finds the line on which a key path (e.g. ('enforced', 'server', 'port')) was written.

    Only ever run on text tomllib has accepted, so it can be lenient: it skips values without
    judging them and only follows keys, table headers and inline tables.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self._lines: dict[KeyPath, int] = {}
        try:
            self._document()
        except (IndexError, ValueError):  # pragma: no cover - tomllib accepted the text first
            log.debug("key locator gave up at offset %d; errors will lack line numbers", self._pos)

    def line_of(self, path: KeyPath) -> int | None:
        """Line of `path`, or of its nearest written parent table, or None if nothing matches."""
        for end in range(len(path), 0, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return None

    # -- scanning ---------------------------------------------------------------------------

    def _peek(self, count: int = 1) -> str:
        return self._text[self._pos : self._pos + count]

    def _line(self) -> int:
        return bisect.bisect_right(self._line_starts, self._pos)

    def _record(self, path: KeyPath, line: int) -> None:
        self._lines.setdefault(path, line)

    def _skip_blank(self, *, newlines: bool) -> None:
        while self._pos < len(self._text):
            ch = self._text[self._pos]
            if ch in " \t" or (newlines and ch in "\r\n"):
                self._pos += 1
            elif ch == "#":
                end = self._text.find("\n", self._pos)
                self._pos = len(self._text) if end < 0 else end
            else:
                return

    def _document(self) -> None:
        table: KeyPath = ()
        while True:
            self._skip_blank(newlines=True)
            if self._pos >= len(self._text):
                return
            line = self._line()
            if self._peek(2) == "[[":
                self._pos += 2
                table = self._key()
                self._pos = self._text.index("]]", self._pos) + 2
                self._record_prefixes(table, 0, line)
            elif self._peek() == "[":
                self._pos += 1
                table = self._key()
                self._pos = self._text.index("]", self._pos) + 1
                self._record_prefixes(table, 0, line)
            else:
                full = table + self._key()
                self._record_prefixes(full, len(table), line)
                self._expect_equals()
                self._value(full)

    def _record_prefixes(self, path: KeyPath, start: int, line: int) -> None:
        # `a.b.c = 1` also defines the tables a and a.b on that line.
        for end in range(max(start, 0) + 1, len(path) + 1):
            self._record(path[:end], line)

    def _expect_equals(self) -> None:
        self._skip_blank(newlines=False)
        if self._peek() != "=":
            raise ValueError("expected '='")
        self._pos += 1
        self._skip_blank(newlines=False)

    def _key(self) -> KeyPath:
        parts: list[str] = []
        while True:
            self._skip_blank(newlines=False)
            ch = self._peek()
            if ch == '"':
                parts.append(self._basic_string())
            elif ch == "'":
                end = self._text.index("'", self._pos + 1)
                parts.append(self._text[self._pos + 1 : end])
                self._pos = end + 1
            else:
                match = _BARE_KEY.match(self._text, self._pos)
                if match is None:
                    raise ValueError("expected a key")
                parts.append(match.group())
                self._pos = match.end()
            self._skip_blank(newlines=False)
            if self._peek() != ".":
                return tuple(parts)
            self._pos += 1

    def _basic_string(self) -> str:
        # Returns the decoded content, so quoted keys match the keys tomllib produced.
        end = self._pos + 1
        while self._text[end] != '"':
            end += 2 if self._text[end] == "\\" else 1
        literal = self._text[self._pos : end + 1]
        self._pos = end + 1
        value = tomllib.loads(f"k = {literal}")["k"]
        return value if isinstance(value, str) else literal

    def _value(self, path: KeyPath) -> None:
        for quotes in ('"""', "'''"):
            if self._peek(3) == quotes:
                self._multiline_string(quotes)
                return
        ch = self._peek()
        if ch == '"':
            self._basic_string()
        elif ch == "'":
            self._pos = self._text.index("'", self._pos + 1) + 1
        elif ch == "[":
            self._pos += 1
            while True:
                self._skip_blank(newlines=True)
                if self._peek() == "]":
                    self._pos += 1
                    return
                self._value(path)
                self._skip_blank(newlines=True)
                if self._peek() == ",":
                    self._pos += 1
        elif ch == "{":
            self._pos += 1
            while True:
                self._skip_blank(newlines=True)
                if self._peek() == "}":
                    self._pos += 1
                    return
                line = self._line()
                full = path + self._key()
                self._record_prefixes(full, len(path), line)
                self._expect_equals()
                self._value(full)
                self._skip_blank(newlines=True)
                if self._peek() == ",":
                    self._pos += 1
        else:
            # Numbers, booleans, dates: run to the next delimiter (a date may hold a space).
            match = _SCALAR.match(self._text, self._pos)
            if match is None or not match.group():
                raise ValueError("expected a value")
            self._pos = match.end()

    def _multiline_string(self, quotes: str) -> None:
        pos = self._pos + 3
        while not self._text.startswith(quotes, pos):
            pos += 2 if quotes == '"""' and self._text[pos] == "\\" else 1
        pos += 3
        # Up to two quote characters may sit right before the closing delimiter: """a""""".
        for _ in range(2):
            if self._text[pos : pos + 1] == quotes[0]:
                pos += 1
        self._pos = pos


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR = re.compile(r"[^,\]}#\r\n]*")


def flatten_settings(
    table: Mapping[str, object],
    *,
    prefix: KeyPath,
    locator: KeyLocator,
    path: Path,
    error: type[ConfigFileError],
) -> dict[str, object]:
    """Turn a parsed table of settings into {dotted key: validated value}, or raise `error`.

    `prefix` is where the table sits in the file (('enforced',) for a policy, () for user
    settings); it is only used to find lines.
    """
    result: dict[str, object] = {}
    for key_path, value in _leaves(table, ()):
        key = ".".join(key_path)
        line = locator.line_of(prefix + key_path)
        if any("." in part for part in key_path):
            # `"server.port" = 1` is one key whose name contains a dot, not server -> port.
            raise error(
                f"the quoted key {key_path[-1]!r} is one name containing a dot; "
                "write the key without quotes",
                path=path,
                line=line,
                key=key,
            )
        if not is_known_key(key):
            raise error(unknown_key_message(key), path=path, line=line, key=key)
        try:
            result[key] = validate(key, value)
        except InvalidValue as exc:
            raise error(exc.sentence, path=path, line=line, key=key) from None
    return result


def _leaves(table: Mapping[str, object], path: KeyPath) -> Iterator[tuple[KeyPath, object]]:
    for name, value in table.items():
        key_path = (*path, name)
        if is_known_key(".".join(key_path)) or not isinstance(value, dict):
            yield key_path, value
        elif not value:
            # An empty table ([enforced.server]) sets nothing, but a misspelt one deserves a word.
            if not any(known.startswith(".".join(key_path) + ".") for known in KEYS):
                yield key_path, value
        else:
            yield from _leaves(value, key_path)


# -- writing -----------------------------------------------------------------------------------


def dump_settings(values: Mapping[str, object], *, header: str = "") -> str:
    """TOML text with one `dotted.key = value` line per setting, sorted by key.

    Handles exactly what settings hold: str, int, float, bool, lists of str and tables of str
    (inline). Keys in KEYS are bare dotted keys, so they are written unquoted.
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for key in sorted(values):
        if not all(_BARE_KEY.fullmatch(part) for part in key.split(".")):
            raise ValueError(f"cannot write key {key!r}")
        lines.append(f"{key} = {toml_value(values[key])}")
    return "\n".join(lines) + "\n"


def toml_value(value: object) -> str:
    """One value in TOML syntax; raises ValueError for anything settings never hold."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError("settings never hold inf or nan")
        # repr() is the shortest text that reads back as the same float and is valid TOML.
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        # Labels are free text ("Call support"): always quoted.
        entries = (f"{toml_string(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + ", ".join(entries) + " }" if value else "{}"
    raise ValueError(f"cannot write a {type(value).__name__} to TOML")


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out: list[str] = ['"']
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
