"""Every setting key: its type, default, allowed values and what it means.

This table is the one contract shared by the machine policy, the user settings file, the
settings UI and `doctor`. Validation lives here too, so that a value is judged the same way
wherever it comes from; callers add the file and line.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from supporttray.config.sysinfo_fields import KEYS as SYSINFO_KEYS
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence, SentenceError

Kind = Literal["str", "int", "float", "bool", "str_list", "str_map", "choice"]

# What a string setting must look like beyond "is a string".
Format = Literal["text", "jid", "domain", "path", "sysinfo_field", "link"]

# What a `link` may open: a web page, a phone number, an e-mail. Nothing that runs a program
# or reads a local file (file:, a custom scheme), whoever wrote the setting.
LINK_SCHEMES = ("https", "tel", "mailto")

# Who may change a key in the Settings window: nobody (IT's, through the policy), every user,
# or staff only (keys that mean nothing to a requester). A new key with an audience appears
# in the window by itself.
Audience = Literal["policy", "everyone", "staff"]

# Languages the app ships, after "system" (follow the desktop): each has a catalogue under
# supporttray/locale/<code>/LC_MESSAGES (English is the source text).
LANGUAGES = ("system", "en", "de")

# TOML integers are signed 64-bit; anything wider could not be written back to the file.
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1



@dataclass(frozen=True)
class KeySpec:
    """One setting: what it holds, its built-in default and the rules a value must follow.

    `minimum`/`maximum` bound int and float values (inclusive unless `exclusive_minimum`);
    `format` constrains strings and the items of string lists (a JID, a domain, ...); for a
    `str_map` (a table of label = text) it constrains the values.
    """

    key: str
    kind: Kind
    default: object
    # Keyword-only, so `doc` can follow in the documented order and still be required.
    choices: tuple[str, ...] = field(default=(), kw_only=True)
    doc: str
    minimum: float | None = field(default=None, kw_only=True)
    maximum: float | None = field(default=None, kw_only=True)
    exclusive_minimum: bool = field(default=False, kw_only=True)
    format: Format = field(default="text", kw_only=True)
    audience: Audience = field(default="policy", kw_only=True)


class InvalidValue(SentenceError, ValueError):
    """A value that breaks a key's rules: a phrase for a human, sans file and key; English in
    str() (the settings file's and policy's errors, the log), translated where a window shows
    it (`shown()`)."""


def _spec(
    key: str,
    kind: Kind,
    default: object,
    doc: str,
    *,
    choices: tuple[str, ...] = (),
    minimum: float | None = None,
    maximum: float | None = None,
    exclusive_minimum: bool = False,
    format: Format = "text",
    audience: Audience = "policy",
) -> tuple[str, KeySpec]:
    return key, KeySpec(
        key,
        kind,
        default,
        doc,
        choices=choices,
        minimum=minimum,
        maximum=maximum,
        exclusive_minimum=exclusive_minimum,
        format=format,
        audience=audience,
    )


KEYS: Mapping[str, KeySpec] = MappingProxyType(
    dict(
        [
            _spec(
                "server.domain",
                "str",
                "",
                "The XMPP domain of the support server, e.g. example.org.",
                format="domain",
            ),
            _spec(
                "server.host",
                "str",
                "",
                "Host to connect to; empty means use the domain and its DNS SRV records.",
                format="domain",
            ),
            _spec(
                "server.port", "int", 5222, "TCP port of the XMPP server.", minimum=1, maximum=65535
            ),
            _spec(
                "server.direct_tls",
                "bool",
                False,
                "Use direct TLS (XEP-0368) on the port instead of STARTTLS.",
            ),
            _spec(
                "server.ca_file",
                "str",
                "",
                "Path of an extra CA certificate (PEM) trusted in addition to the system store.",
                format="path",
            ),
            _spec("account.jid", "str", "", "The user's own account, user@domain.", format="jid"),
            _spec(
                "account.jid_template",
                "str",
                "",
                "Builds the account the Sign-in window suggests from the computer's login name "
                "when account.jid is empty, e.g. \"{user}@example.org\".",
            ),
            _spec(
                "support.mode",
                "choice",
                "requester",
                "requester: ask for help; staff: answer requests.",
                choices=("requester", "staff"),
            ),
            _spec("support.staff", "str_list", (), "JIDs of the support staff.", format="jid"),
            _spec(
                "muc.service",
                "str",
                "",
                "The group-chat (MUC) service for three-way chats, e.g. conference.example.org; "
                "empty means the one the server names when asked (service discovery).",
                format="domain",
            ),
            _spec(
                "support.group",
                "str",
                "",
                "Roster group whose members are support staff (e.g. a shared roster group).",
            ),
            _spec(
                "support.auto_accept_domains",
                "str_list",
                (),
                "Staff clients approve presence subscriptions from these domains automatically.",
                format="domain",
            ),
            _spec(
                "support.fallback",
                "str",
                "",
                "A shared support account to ask when no staff member is available.",
                format="jid",
            ),
            _spec(
                "support.staff_room",
                "str",
                "",
                "Staff mode: the members-only group chat where staff clients share requests and "
                "claims: a room JID, or a name for a room on the server's MUC service (found by "
                "service discovery); \"\" means support-staff there, \"off\" keeps claims on "
                "each computer.",
            ),
            _spec(
                "staff.sound",
                "bool",
                False,
                N_("Staff mode: play a sound when a new request arrives (never while Busy)."),
                audience="staff",
            ),
            _spec(
                "sysinfo.fields",
                "str_list",
                SYSINFO_KEYS,
                N_("System-info fields that may be sent with a new request."),
                format="sysinfo_field",
                audience="everyone",
            ),
            _spec(
                "sysinfo.consent",
                "choice",
                "preview",
                N_("preview: show system info before it is sent; always: send without asking; "
                "never: do not send system info."),
                choices=("preview", "always", "never"),
                audience="everyone",
            ),
            _spec(
                "sysinfo.new_request_after_hours",
                "float",
                8.0,
                "Hours after which another question starts a new request (with system info).",
                minimum=0,
                exclusive_minimum=True,
            ),
            _spec(
                "history.enabled",
                "bool",
                True,
                N_("Keep chat history on this computer. Off: no history file at all (an existing "
                "one is deleted at start); messages not yet sent wait in a small outbox file, "
                "deleted once they are sent. Takes effect at the next start."),
            ),
            _spec(
                "history.retention_days",
                "int",
                0,
                N_("Days to keep chat history on this computer; older messages (and their search "
                "index) are deleted at start and once a day; 0 keeps it forever."),
                minimum=0,
                audience="everyone",
            ),
            _spec(
                "app.autostart",
                "bool",
                True,
                N_("Start SupportTray in the tray when the user logs in: written (or removed) at "
                "every start of the user's normal profile as an XDG autostart entry, the "
                "HKCU Run key or a LaunchAgent."),
                audience="everyone",
            ),
            _spec(
                "app.language",
                "choice",
                "system",
                N_("Language of the windows and menus: system follows the desktop's; or a language "
                "code the app ships (en, de)."),
                choices=LANGUAGES,
                audience="everyone",
            ),
            _spec(
                "branding.name",
                "str",
                "SupportTray",
                "Name shown in the tray's tooltip and menu, the windows' titles, notifications "
                "and the autostart entry.",
            ),
            _spec(
                "branding.icon",
                "str",
                "",
                "Path of an icon (SVG or PNG) shown instead of the built-in one, with a dot in "
                "the corner for support's availability; an unreadable file is reported in the "
                "log and by doctor, and the built-in icon is used.",
                format="path",
            ),
            _spec(
                "branding.links",
                "str_map",
                MappingProxyType({}),
                "Entries added to the tray menu, label = link, in the order written, e.g. "
                "{ \"Helpdesk portal\" = \"https://help.example.org\", \"Call support\" = "
                "\"tel:+15550100\" }; only https:, tel: and mailto: links.",
                format="link",
            ),
            _spec(
                "presence.auto_away_minutes",
                "int",
                5,
                N_("Minutes idle before presence becomes away; 0 turns it off."),
                minimum=0,
                audience="staff",
            ),
            _spec(
                "presence.auto_xa_minutes",
                "int",
                20,
                N_("Minutes idle before presence becomes extended away; 0 turns it off."),
                minimum=0,
                audience="staff",
            ),
            _spec(
                "presence.on_call_hours",
                "str",
                "",
                N_("Staff mode: hours on call, in local time, e.g. \"Mon-Fri 08:00-18:00; Sat "
                "10:00-14:00\". Presence becomes Available when they begin and Away when they "
                "end; empty turns it off. (Checked at start and by doctor.)"),
                audience="staff",
            ),
            _spec(
                "staff.canned_replies",
                "str_list",
                (
                    "Hi {name}, I'm looking into it now.",
                    "Could you restart the computer and tell me if it happens again?",
                    "It's {local_time} for you: shall we continue tomorrow morning?",
                ),
                N_("Staff reply snippets (chat window: Replies menu, Ctrl+1..9); {name}, {os} and "
                "{local_time} are filled from the request."),
                audience="staff",
            ),
            _spec(
                "files.max_mb",
                "int",
                100,
                N_("Largest file, in MB, that is downloaded without asking; larger offers wait "
                "for a click. 0: none are."),
                minimum=0,
            ),
            _spec(
                "files.auto_download_images",
                "bool",
                True,
                N_("Download pictures sent from the server's own upload service at once, to "
                "show them as thumbnails."),
            ),
            _spec(
                "files.allowed",
                "choice",
                "all",
                N_("Which files may be sent and received: off: none; images: pictures only; "
                "all: any file."),
                choices=("off", "images", "all"),
            ),
        ]
    )
)

# Key families: one key per name the person chooses, all of one kind. `groups.NAME = [JIDs]`
# saves a group for "Ask a group…" and `supporttray check --to NAME`.
FAMILIES: Mapping[str, KeySpec] = MappingProxyType({
    "groups": KeySpec(
        "groups.NAME", "str_list", (),
        "A saved group of people for \"Ask a group…\" and `supporttray check --to NAME`, one "
        "key per group: groups.dev-team = [\"ann@example.org\", \"bob@example.org\"]. Policy "
        "and user settings both add groups; one of the same name replaces the other as any "
        "setting does.",
        format="jid",
    ),
})


def family_of(key: str) -> str | None:
    """The family `key` belongs to (`groups.dev-team` -> "groups"), or None."""
    family, dot, name = key.partition(".")
    return family if dot and name and family in FAMILIES else None


def spec_for(key: str) -> KeySpec:
    """`key`'s spec, a family member's included; KeyError for an unknown key."""
    if key in KEYS:
        return KEYS[key]
    family = family_of(key)
    if family is None:
        raise KeyError(key)
    return FAMILIES[family]


def is_known_key(key: str) -> bool:
    return key in KEYS or family_of(key) is not None


def suggest_key(key: str) -> str | None:
    """The known key closest to a misspelt one, or None if nothing is close."""
    matches = difflib.get_close_matches(key, list(KEYS), n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown_key_message(key: str) -> Sentence:
    """'unknown setting; did you mean ...?' for a key that is not in KEYS."""
    suggestion = suggest_key(key)
    if suggestion is None:
        return Sentence(N_("unknown setting"))
    return Sentence(N_("unknown setting; did you mean '{suggestion}'?"),
                    {"suggestion": suggestion})


def describe(value: object) -> Sentence:
    """How a value reads in an error message, shortened so a message stays one line."""
    if isinstance(value, bool):
        # true/false as TOML writes them: the words a person types into the file.
        return Sentence(N_("the boolean {value}"), {"value": "true" if value else "false"})
    if isinstance(value, int | float):
        return Sentence(N_("the number {value}"), {"value": repr(value)})
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return Sentence(N_("the string {value}"), {"value": _quote(shown)})
    if isinstance(value, list | tuple):
        return Sentence(N_("a list"))
    if isinstance(value, dict):
        return Sentence(N_("a table"))
    return Sentence(N_("a {type}"), {"type": type(value).__name__})


def _invalid(msgid: str, **params: object) -> InvalidValue:
    return InvalidValue(Sentence(msgid, params))


def _either(names: list[str]) -> Sentence | str:
    """"a or b or c", with the "or" in the language the sentence around it is shown in."""
    if len(names) == 1:
        return names[0]
    return Sentence(N_("{first} or {second}"), {"first": _either(names[:-1]),
                                                "second": names[-1]})


def _quote(text: str) -> str:
    # repr() escapes control characters, so a message stays on one line whatever the value.
    return '"' + repr(text)[1:-1].replace('"', '\\"') + '"'


def validate(key: str, value: object) -> object:
    """Check `value` for `key` and return it in canonical form (floats as float, lists as tuple).

    Raises KeyError for an unknown key and InvalidValue (a phrase for a human) for a bad value.
    """
    spec = spec_for(key)
    if spec.kind == "str":
        return _check_string(spec, value)
    if spec.kind == "choice":
        if not isinstance(value, str):
            raise _invalid(N_("expected one of {choices}, got {value}"),
                           choices=_choices(spec), value=describe(value))
        if value not in spec.choices:
            raise _invalid(N_("expected one of {choices}, got {value}"),
                           choices=_choices(spec), value=_quote(value))
        return value
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise _invalid(N_("expected true or false, got {value}"), value=describe(value))
        return value
    if spec.kind == "int":
        # bool is an int subclass in Python, but `port = true` is a mistake, not 1.
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(N_("expected a whole number, got {value}"), value=describe(value))
        if not _INT64_MIN <= value <= _INT64_MAX:
            raise _invalid(N_("{value} is too large"), value=value)
        _check_range(spec, value)
        return value
    if spec.kind == "float":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _invalid(N_("expected a number, got {value}"), value=describe(value))
        if isinstance(value, int) and not _INT64_MIN <= value <= _INT64_MAX:
            # float() of a 400-digit int raises
            raise _invalid(N_("{value} is too large"), value=value)
        number = float(value)
        if not math.isfinite(number):
            raise _invalid(N_("expected a finite number, got {value}"), value=repr(value))
        _check_range(spec, number)
        return number
    if spec.kind == "str_list":
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise _invalid(N_('expected a list of strings like ["a", "b"], got {value}'),
                           value=describe(value))
        items: list[str] = []
        for index, item in enumerate(value, start=1):
            if not isinstance(item, str):
                raise _invalid(N_("item {index} of the list is {value}, expected a string"),
                               index=index, value=describe(item))
            try:
                items.append(_check_string(spec, item))
            except InvalidValue as exc:
                raise _invalid(N_("item {index} of the list: {problem}"),
                               index=index, problem=exc.sentence) from None
        return tuple(items)
    if spec.kind == "str_map":
        return _check_map(spec, value)
    raise AssertionError(f"unhandled kind {spec.kind!r}")  # pragma: no cover - KEYS is static


def _check_map(spec: KeySpec, value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping):
        raise _invalid(N_('expected a table like {{ "Label" = "https://..." }}, got {value}'),
                       value=describe(value))
    entries: dict[str, str] = {}
    for label, item in value.items():
        if not isinstance(label, str) or not label.strip():
            raise _invalid(N_("every entry needs a label that is not empty"))
        if not isinstance(item, str):
            raise _invalid(N_("the entry {label} is {value}, expected a string"),
                           label=_quote(label), value=describe(item))
        try:
            entries[label] = _check_string(spec, item)
        except InvalidValue as exc:
            raise _invalid(N_("the entry {label}: {problem}"),
                           label=_quote(label), problem=exc.sentence) from None
    # Read-only, like the tuples of str_list: a Policy's values must not change under it.
    return MappingProxyType(entries)


def _choices(spec: KeySpec) -> str:
    return ", ".join(_quote(choice) for choice in spec.choices)


def _check_range(spec: KeySpec, number: float) -> None:
    low, high = spec.minimum, spec.maximum
    shown = repr(number) if isinstance(number, float) else str(number)
    if low is not None and high is not None and not low <= number <= high:
        raise _invalid(N_("must be from {low} to {high}, got {value}"),
                       low=_num(low), high=_num(high), value=shown)
    if low is not None and spec.exclusive_minimum and number <= low:
        raise _invalid(N_("must be greater than {low}, got {value}"), low=_num(low), value=shown)
    if low is not None and number < low:
        raise _invalid(N_("must be {low} or more, got {value}"), low=_num(low), value=shown)
    if high is not None and number > high:
        raise _invalid(N_("must be {high} or less, got {value}"), high=_num(high), value=shown)


def _num(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else repr(bound)


def _check_string(spec: KeySpec, value: object) -> str:
    if not isinstance(value, str):
        raise _invalid(N_("expected a string in quotes, got {value}"), value=describe(value))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates cannot be stored in a UTF-8 TOML file; refuse them here, not at save().
        raise _invalid(N_("contains characters that are not valid Unicode")) from None
    if spec.format == "jid":
        _check_jid(value, allow_empty=spec.kind == "str")
    elif spec.format == "domain":
        _check_domain(value, allow_empty=spec.kind == "str")
    elif spec.format == "sysinfo_field" and value not in SYSINFO_KEYS:
        close = difflib.get_close_matches(value, SYSINFO_KEYS, n=1)
        if close:
            raise _invalid(N_("{value} is not a system-info field; did you mean {suggestion}?"),
                           value=_quote(value), suggestion=_quote(close[0]))
        raise _invalid(N_("{value} is not a system-info field"), value=_quote(value))
    elif spec.format == "link":
        _check_link(value)
    return value


def _check_link(text: str) -> None:
    scheme, colon, rest = text.partition(":")
    if not colon or scheme.lower() not in LINK_SCHEMES:
        raise _invalid(N_("{value} is not a link this app opens; use {allowed}"),
                       value=_quote(text), allowed=_either([f"{n}:" for n in LINK_SCHEMES]))
    if (scheme.lower() == "https" and not rest.startswith("//")) or not rest.strip("/"):
        raise _invalid(N_("{value} is not a complete {scheme}: link"),
                       value=_quote(text), scheme=scheme.lower())
    if any(c.isspace() or ord(c) < 0x20 for c in text):
        raise _invalid(N_("{value} contains spaces; write them as %20"), value=_quote(text))


def _check_jid(text: str, *, allow_empty: bool) -> None:
    if text == "" and allow_empty:
        return
    if "/" in text and text.count("@") <= 1:
        raise _invalid(N_("{value} has a resource; give the bare JID {bare}"),
                       value=_quote(text), bare=_quote(text.split("/", 1)[0]))
    if not looks_like_bare_jid(text):
        raise _invalid(N_("{value} is not a JID like user@example.org"), value=_quote(text))


def looks_like_bare_jid(text: str) -> bool:
    """True for `user@domain` with no resource, spaces or empty parts: what a setting may name."""
    # Deliberately not supporttray.core.jid: config sits below core and imports nothing above it.
    if not text or any(c.isspace() for c in text) or "/" in text or text.count("@") != 1:
        return False
    node, domain = text.split("@")
    return bool(node) and _is_domainish(domain)


def _is_domainish(text: str) -> bool:
    return (
        bool(text)
        and not any(c.isspace() or c in "@/" for c in text)
        and not text.startswith(".")
        and not text.endswith(".")
        and ".." not in text
    )


def _check_domain(text: str, *, allow_empty: bool) -> None:
    if text == "" and allow_empty:
        return
    if not _is_domainish(text):
        raise _invalid(N_("{value} is not a domain name like example.org"), value=_quote(text))
