"""The machine policy file (config/policy.py, config/tomlfile.py) under hypothesis: any document
at all, well-formed or broken, either loads or raises PolicyError, in one line that names the
file (and a line of it, when one is given). Nothing else may come out of load_policy: the app
says a PolicyError at start-up as a sentence, anything else is a traceback."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from supporttray.config.policy import Policy, PolicyError, load_policy
from supporttray.config.schema import KEYS
from supporttray.config.tomlfile import toml_string
from tests.unit.hostile_input import examples

_TEXT = st.text(st.characters(codec="utf-8"), max_size=20)  # what a UTF-8 file can hold
_BARE = st.from_regex(r"[A-Za-z0-9_-]{1,12}", fullmatch=True)
_PARTS = sorted({part for key in KEYS for part in key.split(".")} | {"defaults", "enforced"})
KEY_PART = st.one_of(
    st.sampled_from(_PARTS), _BARE, _TEXT.map(toml_string),
    _TEXT.filter(lambda t: "'" not in t and "\n" not in t and "\r" not in t).map(
        lambda t: f"'{t}'"),
)
KEY = st.one_of(st.sampled_from(sorted(KEYS)),
                st.lists(KEY_PART, min_size=1, max_size=3).map(".".join))  # fmt: skip
SCALAR = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats().map(repr),  # nan, inf and 1e+300 are TOML too
    st.sampled_from(["true", "false", "0x1F", "0o17", "0b101", "1_000", "+5222", "-0", "1e400",
                     "-inf", "5222.0", "1979-05-27T07:32:00Z", "1979-05-27", "07:32:00",
                     "1979-05-27 07:32:00.999999-07:00", "1" + "0" * 5000, "1" + "0" * 400]),
    _TEXT.map(toml_string),
    _TEXT.filter(lambda t: "'" not in t and "\n" not in t and "\r" not in t).map(
        lambda t: f"'{t}'"),
    _TEXT.map(lambda t: '"""' + t.replace('"', "").replace("\\", "") + '"""'),
    st.sampled_from(["ann@example.org", "example.org", "os.name", "staff", "always", ""]).map(
        toml_string),
)


def _inline_table(items: dict[str, str]) -> str:
    return "{ " + ", ".join(f"{key} = {value}" for key, value in items.items()) + " }"


VALUE = st.one_of(
    st.recursive(SCALAR, lambda inner: st.one_of(
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.dictionaries(_BARE, inner, max_size=3).map(_inline_table),
    ), max_leaves=8),
    # Nested as deep as anyone likes.
    st.integers(min_value=1, max_value=1200).map(lambda depth: "[" * depth + "]" * depth),
)
TABLE = st.one_of(
    st.sampled_from(["[defaults]", "[enforced]", "[enforced.server]", "[defaults.support]",
                     "[[enforced]]", "[enforced.server.port]", "[server]"]),
    st.lists(KEY_PART, min_size=1, max_size=3).map(lambda parts: f"[{'.'.join(parts)}]"),
)
LINE = st.one_of(
    TABLE,
    st.builds(lambda key, value: f"{key} = {value}", KEY, VALUE),
    st.builds(lambda key, value: f"{key} = {value}", KEY, VALUE),
    _TEXT.map(lambda t: "# " + t.replace("\n", " ").replace("\r", " ")),
    st.just(""),
)
# Bytes a broken file may hold: TOML's own punctuation, a byte-order mark in the middle, bytes
# that are not UTF-8, NUL, a lone CR, text.
NOISE = st.one_of(
    st.sampled_from([b"[", b"]", b"{", b"}", b"=", b'"', b"'", b"\n", b",", b".", b"#", b"\\",
                     b"\xef\xbb\xbf", b"\xff", b"\xc3", b"\x00", b"\r", b'"""']),
    _TEXT.map(lambda t: t.encode()),
)


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    """A policy file: TOML-shaped lines, then perhaps a few bytes changed anywhere."""
    data = bytearray("\n".join(draw(st.lists(LINE, max_size=8))).encode())
    if draw(st.booleans()):
        data = bytearray(draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))) + data
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        if draw(st.booleans()) and at < len(data):
            del data[at : at + draw(st.integers(min_value=1, max_value=4))]
        else:
            data[at:at] = draw(NOISE)
    return bytes(data)


@pytest.fixture(scope="module")
def policy_file() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory:
        yield Path(directory) / "policy.toml"


@examples(120)
@given(document=documents())
@example(document=b"[enforced]\nsupport.staff = " + b"[" * 1000 + b"]" * 1000 + b"\n")
@example(document=b"[enforced]\nserver.port = 1" + b"0" * 5000 + b"\n")
@example(document=b"[enforced]\nsysinfo.new_request_after_hours = 1" + b"0" * 400 + b"\n")
@example(document=b'[enforced]\n"server\\nport" = 5222\n')
@example(document=b'"a\\nb" = 1\n')
def test_any_document_loads_or_says_in_one_line_what_is_wrong_in_which_file(
    policy_file: Path, document: bytes
) -> None:
    # given a policy file holding anything at all
    policy_file.write_bytes(document)

    # when the app loads it
    try:
        policy = load_policy(policy_file, explicit=True)
    except PolicyError as error:
        # then what is wrong is one line naming the file, and a line of it that exists
        said = str(error)
        assert said.startswith(f"{policy_file}:"), said
        assert "\n" not in said and "\r" not in said, repr(said)
        if error.line is not None:
            assert 1 <= error.line <= document.count(b"\n") + 1, said
        return

    # or it is a whole policy, whose values pass their own validation again unchanged
    again = Policy(source=None, defaults=dict(policy.defaults), enforced=dict(policy.enforced))
    assert (dict(again.defaults), dict(again.enforced)) == (dict(policy.defaults),
                                                           dict(policy.enforced))
