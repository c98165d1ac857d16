"""The machine policy as an IT admin writes it: what is accepted, and what each mistake says."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supporttray.config.policy import Policy, PolicyError, load_policy, policy_path
from supporttray.config.schema import KEYS
from supporttray.config.tomlfile import KeyLocator, toml_value


def write(tmp_path: Path, text: str, name: str = "policy.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def load_error(path: Path) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        load_policy(path, explicit=True)
    return caught.value


# -- what a valid policy means ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        """
        [enforced]
        server.port = 5223
        server.host = "xmpp.example.org"
        """,
        """
        [enforced.server]
        port = 5223
        host = "xmpp.example.org"
        """,
        """
        [enforced]
        server = { port = 5223, host = "xmpp.example.org" }
        """,
    ],
    ids=["dotted-keys", "sub-table", "inline-table"],
)
def test_the_three_toml_spellings_of_a_key_give_the_same_policy(tmp_path: Path, text: str) -> None:
    # Given a policy written in one of TOML's equivalent spellings
    path = write(tmp_path, text)

    # When it is loaded
    policy = load_policy(path, explicit=True)

    # Then it enforces the same flat, dotted settings
    assert dict(policy.enforced) == {"server.port": 5223, "server.host": "xmpp.example.org"}
    assert dict(policy.defaults) == {}


def test_defaults_and_enforced_are_separate_layers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [defaults]
        app.autostart = false
        [enforced]
        support.staff = ["alice@example.org", "bob@example.org"]
        """,
    )

    policy = load_policy(path, explicit=False)

    assert dict(policy.defaults) == {"app.autostart": False}
    assert dict(policy.enforced) == {"support.staff": ("alice@example.org", "bob@example.org")}
    assert policy.source == path


def test_a_whole_number_is_accepted_for_a_fractional_setting(tmp_path: Path) -> None:
    path = write(tmp_path, "[enforced]\nsysinfo.new_request_after_hours = 4\n")

    policy = load_policy(path, explicit=True)

    assert policy.enforced["sysinfo.new_request_after_hours"] == 4.0
    assert isinstance(policy.enforced["sysinfo.new_request_after_hours"], float)


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    # Given a policy saved by a Windows editor that starts UTF-8 files with a BOM
    path = tmp_path / "policy.toml"
    path.write_bytes('\ufeff[enforced]\nbranding.name = "Hilfe"\n'.encode())

    policy = load_policy(path, explicit=True)

    assert policy.enforced["branding.name"] == "Hilfe"


def test_policy_layers_cannot_be_changed_after_loading(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "[enforced]\nserver.port = 5222\n"), explicit=True)

    with pytest.raises(TypeError):
        policy.enforced["server.port"] = 1  # type: ignore[index]


# -- what each mistake says ---------------------------------------------------------------------


def test_a_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [enforced]
        server.domain = "example.org"
        server.port = 52 22
        """,
    )

    error = load_error(path)

    assert error.path == path
    assert error.line == 3
    assert str(error).startswith(f"{path}:3: TOML syntax error")
    assert "\n" not in str(error)


def test_a_syntax_error_at_the_end_of_the_file_names_the_last_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[enforced]\nsupport.staff = ["a@example.org",\n')

    error = load_error(path)

    assert error.line == 2
    assert "end of the file" in str(error)


def test_an_unknown_key_names_file_line_key_and_the_likely_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [enforced.server]
        domain = "example.org"
        prot = 5222
        """,
    )

    error = load_error(path)

    assert (error.path, error.line, error.key) == (path, 3, "server.prot")
    assert str(error) == (
        f"{path}:3: unknown setting; did you mean 'server.port'? (key 'server.prot')"
    )


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ('server.port = "5222"', "server.port", "expected a whole number"),
        ("server.port = true", "server.port", "expected a whole number"),
        ("server.port = 5222.0", "server.port", "expected a whole number"),
        ("server.port = 70000", "server.port", "from 1 to 65535"),
        ("server.port = 0", "server.port", "from 1 to 65535"),
        ("app.autostart = 1", "app.autostart", "expected true or false"),
        ("support.staff = [1, 2]", "support.staff", "item 1 of the list"),
        ('support.staff = "alice@example.org"', "support.staff", "expected a list"),
        ('support.staff = ["alice"]', "support.staff", "not a JID"),
        ('support.staff = ["alice@example.org/laptop"]', "support.staff", "has a resource"),
        ('account.jid = "not a jid"', "account.jid", "not a JID"),
        ('support.fallback = "@example.org"', "support.fallback", "not a JID"),
        ('support.mode = "boss"', "support.mode", 'expected one of "requester", "staff"'),
        ('sysinfo.consent = "maybe"', "sysinfo.consent", '"preview", "always", "never"'),
        ('sysinfo.fields = ["os.nmae"]', "sysinfo.fields", 'did you mean "os.name"'),
        (
            "sysinfo.new_request_after_hours = 0",
            "sysinfo.new_request_after_hours",
            "greater than 0",
        ),
        ("sysinfo.new_request_after_hours = nan", "sysinfo.new_request_after_hours", "finite"),
        ("history.retention_days = -1", "history.retention_days", "0 or more"),
        ("presence.auto_away_minutes = -5", "presence.auto_away_minutes", "0 or more"),
        ('support.auto_accept_domains = ["a b"]', "support.auto_accept_domains", "domain name"),
        ("server.port = { number = 1 }", "server.port", "got a table"),
    ],
)
def test_a_wrong_value_names_file_line_and_key(
    tmp_path: Path, line: str, key: str, expected: str
) -> None:
    # Given a policy whose second setting, on line 3, is wrong
    path = write(tmp_path, f'[enforced]\nserver.domain = "example.org"\n{line}\n')

    error = load_error(path)

    assert (error.path, error.line, error.key) == (path, 3, key)
    assert expected in str(error)
    assert str(error).startswith(f"{path}:3: ")
    assert str(error).endswith(f"(key '{key}')")


def test_a_wrong_value_in_a_sub_table_points_at_its_own_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [defaults]
        app.autostart = true

        [enforced.server]
        domain = "example.org"
        port = 70000
        """,
    )

    error = load_error(path)

    assert (error.line, error.key) == (6, "server.port")


def test_a_wrong_item_in_a_multi_line_list_points_at_the_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [enforced]
        # who answers
        support.staff = [
            "alice@example.org",
            "bob",
        ]
        """,
    )

    error = load_error(path)

    assert (error.line, error.key) == (3, "support.staff")
    assert "item 2" in str(error)


def test_an_unknown_top_level_table_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, '[enforced]\nbranding.name = "Help"\n\n[locked]\nserver.port = 5222\n')

    error = load_error(path)

    assert error.line == 4
    assert "unknown top-level entry 'locked'" in str(error)


def test_a_misspelt_table_name_gets_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "[enforce]\nserver.port = 5222\n")

    error = load_error(path)

    assert "did you mean [enforced]?" in str(error)


def test_a_setting_outside_both_tables_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "server.port = 5222\n[enforced]\n")

    error = load_error(path)

    assert error.line == 1
    assert "inside [defaults] or [enforced]" in str(error)


def test_a_layer_that_is_not_a_table_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "enforced = 1\n")

    error = load_error(path)

    assert error.line == 1
    assert "'enforced' must be a table" in str(error)


def test_a_quoted_dotted_key_is_not_silently_taken_for_a_setting(tmp_path: Path) -> None:
    path = write(tmp_path, '[enforced]\n"server.port" = 5222\n')

    error = load_error(path)

    assert error.line == 2
    assert "without quotes" in str(error)


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes('[enforced]\nbranding.name = "Caf\xe9"\n'.encode("latin-1"))

    error = load_error(path)

    assert error.line == 2
    assert "not UTF-8" in str(error)


def test_a_policy_file_the_app_may_not_read_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a policy file the OS refuses to open (simulated: tests may run as root)
    path = write(tmp_path, "[enforced]\n")

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)

    error = load_error(path)

    assert str(error) == f"{path}: cannot be read: Permission denied"


def test_a_directory_in_place_of_the_policy_file_is_an_error(tmp_path: Path) -> None:
    error = load_error(tmp_path)

    assert "is a directory" in str(error)


def test_an_error_never_yields_a_partial_policy(tmp_path: Path) -> None:
    # Given a policy whose first lock is fine and second is broken
    path = write(tmp_path, '[enforced]\nserver.host = "x.example.org"\nserver.port = "x"\n')

    # Then loading gives nothing at all, not the first lock alone
    with pytest.raises(PolicyError):
        load_policy(path, explicit=False)


_WRONG_PORTS = st.one_of(
    st.text(),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**63), max_value=2**63 - 1).filter(lambda n: not 1 <= n <= 65535),
    st.lists(st.integers(min_value=0, max_value=9), max_size=3),
)


@settings(deadline=None)
@given(_WRONG_PORTS)
def test_any_wrong_port_gives_a_one_line_error_naming_file_line_and_key(value: object) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "policy.toml"
        path.write_text(f"[enforced]\nserver.port = {toml_value(value)}\n", encoding="utf-8")

        error = load_error(path)

    assert (error.line, error.key) == (2, "server.port")
    assert "\n" not in str(error)


def test_a_policy_built_in_code_is_validated_too() -> None:
    with pytest.raises(PolicyError) as caught:
        Policy(source=None, enforced={"server.prot": 5222})

    assert "did you mean 'server.port'?" in str(caught.value)


def test_the_empty_policy_presets_and_locks_nothing() -> None:
    policy = Policy.empty()

    assert (policy.source, dict(policy.defaults), dict(policy.enforced)) == (None, {}, {})


def test_every_key_default_passes_its_own_validation() -> None:
    policy = Policy(source=None, defaults={key: spec.default for key, spec in KEYS.items()})

    assert set(policy.defaults) == set(KEYS)


# -- where the policy is ------------------------------------------------------------------------


def test_a_missing_explicit_policy_file_is_an_error(tmp_path: Path) -> None:
    path, explicit = policy_path(str(tmp_path / "nope.toml"), {})

    with pytest.raises(PolicyError) as caught:
        load_policy(path, explicit=explicit)

    assert "not found" in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path / "nope.toml"))


def test_a_missing_platform_policy_file_is_no_policy(tmp_path: Path) -> None:
    policy = load_policy(tmp_path / "policy.toml", explicit=False)

    assert policy == Policy.empty()


def test_the_policy_environment_variable_is_honoured(tmp_path: Path) -> None:
    path, explicit = policy_path(None, {"SUPPORTTRAY_POLICY": str(tmp_path / "p.toml")})

    assert (path, explicit) == (tmp_path / "p.toml", True)


def test_the_policy_option_wins_over_the_environment_variable(tmp_path: Path) -> None:
    path, explicit = policy_path(
        str(tmp_path / "cli.toml"), {"SUPPORTTRAY_POLICY": str(tmp_path / "env.toml")}
    )

    assert (path, explicit) == (tmp_path / "cli.toml", True)


@pytest.mark.parametrize(
    ("platform", "expected"),
    [
        ("linux", "/etc/supporttray/policy.toml"),
        ("darwin", "/Library/Application Support/SupportTray/policy.toml"),
    ],
)
def test_without_option_or_variable_the_platform_location_is_used(
    platform: str, expected: str
) -> None:
    path, explicit = policy_path(None, {"SUPPORTTRAY_POLICY": ""}, platform=platform)

    assert (path, explicit) == (Path(expected), False)


def test_on_windows_the_policy_lives_under_programdata() -> None:
    path, explicit = policy_path(None, {"ProgramData": "D:\\PD"}, platform="win32")

    assert explicit is False
    assert str(path).startswith("D:\\PD")
    assert path.parts[-2:] == ("SupportTray", "policy.toml")


# -- finding lines, whatever the spelling -------------------------------------------------------

_SECTIONS: dict[str, list[str]] = {}
for _key in KEYS:
    _SECTIONS.setdefault(_key.split(".", 1)[0], []).append(_key)

# Characters that trip a naive scanner when they sit inside strings.
_AWKWARD_TEXT = st.text(alphabet=st.sampled_from("a#]}{[\"'\\ \t\u00e9\n="), max_size=8)


@st.composite
def enforced_tables(draw: st.DrawFn) -> tuple[str, dict[str, int], dict[str, object]]:
    """An [enforced] table in mixed spellings: its text, each key's line, and the values."""
    lines = ["# generated", "[enforced]"]
    where: dict[str, int] = {}
    values: dict[str, object] = {}
    sub_tables: list[tuple[str, list[str]]] = []
    for section, keys in _SECTIONS.items():
        chosen = draw(st.lists(st.sampled_from(keys), unique=True, min_size=1))
        for key in chosen:
            free_text = key in ("support.group", "branding.name")
            values[key] = draw(_AWKWARD_TEXT) if free_text else KEYS[key].default
        spelling = draw(st.sampled_from(["dotted", "inline", "table"]))
        if spelling == "table":
            # Sub-tables must follow every dotted key of [enforced]; written at the end.
            sub_tables.append((section, chosen))
        elif spelling == "inline":
            pairs = ", ".join(f"{k.split('.', 1)[1]} = {toml_value(values[k])}" for k in chosen)
            lines.append(f"{section} = {{ {pairs} }}  # }}")
            where.update(dict.fromkeys(chosen, len(lines)))
        else:
            for key in chosen:
                if draw(st.booleans()):
                    lines.append("")
                value = values[key]
                lines.append(f"{key} = {toml_value(value)}")
                where[key] = len(lines)
                if isinstance(value, tuple) and value and draw(st.booleans()):
                    # The same list spread over lines, with comments that look like closers.
                    lines[-1] = f"{key} = ["
                    lines.extend(f"  {toml_value(item)},  # ] }}" for item in value)
                    lines.append("]")
    for section, chosen in sub_tables:
        lines.append(f"[ enforced . {section} ]")
        for key in chosen:
            lines.append(f"{key.split('.', 1)[1]} = {toml_value(values[key])}")
            where[key] = len(lines)
    return "\n".join(lines) + "\n", where, values


@settings(deadline=None, max_examples=60)
@given(enforced_tables())
def test_every_key_is_found_on_its_own_line_whatever_the_spelling(
    case: tuple[str, dict[str, int], dict[str, object]],
) -> None:
    text, where, values = case
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "policy.toml"
        path.write_text(text, encoding="utf-8")

        policy = load_policy(path, explicit=True)

    locator = KeyLocator(text)
    assert {key: locator.line_of(("enforced", *key.split("."))) for key in where} == where
    assert dict(policy.enforced) == values


def test_multi_line_strings_do_not_confuse_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '''
        [enforced]
        branding.name = """Help
        port = 1 \\""" still inside
        """
        support.group = \'\'\'it
        [defaults]\'\'\'
        server.port = "x"
        ''',
    )

    error = load_error(path)

    assert (error.line, error.key) == (7, "server.port")


# -- branding.links: IT's own entries in the tray menu ------------------------------------------


def test_links_keep_the_order_they_were_written_in(tmp_path: Path) -> None:
    path = write(tmp_path, """
        [enforced.branding.links]
        "Helpdesk portal" = "https://help.example.org/new"
        "Call support" = "tel:+15550100"
        "Write to IT" = "mailto:it@example.org"
        """)
    links = load_policy(path, explicit=True).enforced["branding.links"]
    assert list(links.items()) == [  # type: ignore[attr-defined]
        ("Helpdesk portal", "https://help.example.org/new"),
        ("Call support", "tel:+15550100"),
        ("Write to IT", "mailto:it@example.org"),
    ]


@pytest.mark.parametrize("url", ["http://help.example.org", "file:///etc/passwd",
                                 "javascript:alert(1)", "help.example.org", "https:",
                                 "smb://server/share"])
def test_a_link_that_is_not_https_tel_or_mailto_is_refused_naming_the_key(
    tmp_path: Path, url: str
) -> None:
    path = write(tmp_path, f"""
        [defaults]
        branding.links = {{ "Helpdesk" = {toml_value(url)} }}
        """)
    message = str(load_error(path))
    assert "(key 'branding.links')" in message
    assert ":1:" in message or ":2:" in message
    assert "Helpdesk" in message


def test_links_must_be_a_table(tmp_path: Path) -> None:
    path = write(tmp_path, """
        [defaults]
        branding.links = ["https://help.example.org"]
        """)
    assert "expected a table" in str(load_error(path))
