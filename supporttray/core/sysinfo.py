"""System info attached to a new request: the model, its readable form and wire validation.

Pure: no psutil, no Qt, no slixmpp. The collector and its sources live in `platform/`, so that
the staff side (which only reads received forms) and start-up never pay for importing them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from supporttray.config.sysinfo_fields import LABELS
from supporttray.core.clock import utc_now
from supporttray.core.text import ELLIPSIS, shorten

log = logging.getLogger("supporttray.sysinfo")

UNAVAILABLE = "unavailable"
FORM_TYPE = "urn:supporttray:sysinfo:0"
BLOCK_HEADER = "--- System info (SupportTray) ---"

# What we send is capped below what validate_received accepts: 22 fields x 512 characters stays
# under its 16384-character total, so a staff client never rejects a form we built ourselves.
MAX_LOCAL_VALUE_CHARS = 512

KEY_PATTERN = re.compile(r"[a-z0-9_.-]{1,64}")
_KEY_MAX = 64

# Bidi_Control characters (ALM, LRM, RLM, LRE..RLO, LRI..PDI): in a value they can make the
# displayed text differ from the real one ("exe.txt" shown as "txt.exe"), so they never pass.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Line breaks and tabs become one space: every value stays on its own single line.
_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029]+")
# Everything else that is invisible or unencodable goes: C0/C1 controls, DEL, bidi controls,
# lone surrogates (cannot be written as UTF-8) and the noncharacters XML forbids.
_STRIP = re.compile(f"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f{_BIDI}\ud800-\udfff\ufffe\uffff]")
_ANY_BAD = re.compile(
    f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff\ufffe\uffff]"
)


def clean_value(value: str, max_chars: int = MAX_LOCAL_VALUE_CHARS) -> str:
    """`value` as one line with no control or bidi characters, cut to `max_chars` with "…"."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    # Cut before cleaning so a megabyte value costs no more than a short one; the slack lets
    # a value that loses a few characters to cleaning still fill the limit.
    too_long = len(value) > max_chars * 2
    if too_long:
        value = value[: max_chars * 2]
    if _ANY_BAD.search(value) is not None:
        value = _STRIP.sub("", _BREAKS.sub(" ", value))
    value = value.strip()
    if too_long:
        value = value[: max_chars - 1].rstrip() + ELLIPSIS
    return shorten(value, max_chars)


@dataclass(frozen=True)
class SysinfoItem:
    key: str
    value: str

    @property
    def label(self) -> str:
        """What a person reads: the known label, else the key itself (a newer client's field)."""
        return LABELS.get(self.key, self.key)


@dataclass(frozen=True)
class SysinfoSnapshot:
    """The system info of one moment, in display order; what one message carries."""

    items: tuple[SysinfoItem, ...]
    taken_at: datetime  # aware, UTC

    def __post_init__(self) -> None:
        if self.taken_at.tzinfo is None:
            raise ValueError("taken_at must be an aware datetime")
        if self.taken_at.tzinfo is not UTC:
            object.__setattr__(self, "taken_at", self.taken_at.astimezone(UTC))

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]], taken_at: datetime) -> SysinfoSnapshot:
        """A snapshot from trusted (key, value) pairs, e.g. our own history; order kept."""
        return cls(tuple(SysinfoItem(key, value) for key, value in pairs), taken_at)

    def without(self, keys: Iterable[str]) -> SysinfoSnapshot:
        """This snapshot minus the fields the user removed in the preview."""
        drop = frozenset(keys)
        return SysinfoSnapshot(tuple(i for i in self.items if i.key not in drop), self.taken_at)

    def only(self, keys: Iterable[str]) -> SysinfoSnapshot:
        """Just these fields, still in the snapshot's (policy) order, not the order of `keys`."""
        keep = frozenset(keys)
        return SysinfoSnapshot(tuple(i for i in self.items if i.key in keep), self.taken_at)

    def get(self, key: str) -> str | None:
        for item in self.items:
            if item.key == key:
                return item.value
        return None

    def as_pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple((i.key, i.value) for i in self.items)

    def as_dict(self) -> dict[str, str]:
        return {i.key: i.value for i in self.items}

    def text_block(self) -> str:
        """The readable block that follows the question in the body ("" when there are no items).

        Plain text that any XMPP client shows well: a header line, then "Label: value" per
        item, each value on one line.
        """
        if not self.items:
            return ""
        # Received values are already clean; ours pass here too, and a value from history
        # written by an older version is cleaned on the way out.
        limit = 4 * MAX_LOCAL_VALUE_CHARS
        lines = [f"{i.label}: {clean_value(i.value, limit)}" for i in self.items]
        return "\n\n" + BLOCK_HEADER + "\n" + "\n".join(lines)

    def os_short(self) -> str:
        """The OS in a few words, e.g. "Debian 12"; '' when not known."""
        return _short(self.get("os.name"), is_os=True)

    def summary(self) -> str:
        """One short line for a queue row, e.g. "Debian 12 · ThinkPad T14"."""
        parts = [short for short in (self.os_short(), _short(self.get("hw.model"), is_os=False))
                 if short]
        if not parts and (host := _short(self.get("host.name"), is_os=False)):
            parts.append(host)
        return clean_value(" · ".join(parts), 80) if parts else ""


def _short(value: str | None, *, is_os: bool) -> str:
    if not value or value == UNAVAILABLE:
        return ""
    # "Debian GNU/Linux 12 (bookworm)" -> "Debian 12"; "ThinkPad T14 (20S0000XX)" -> "ThinkPad T14"
    value = re.sub(r"\s*\([^)]*\)", "", value)
    if is_os:
        value = value.replace(" GNU/Linux", "")
    return " ".join(value.split())


class SysinfoRejected(ValueError):
    """A received form that is not accepted at all; str() is the reason, for the log."""


def validate_received(
    pairs: Iterable[tuple[str, str]],
    *,
    max_fields: int = 64,
    max_value_chars: int = 2048,
    max_total_chars: int = 16384,
    taken_at: datetime | None = None,
) -> SysinfoSnapshot:
    """A snapshot from a form that came over the network, which may be hostile.

    Raises SysinfoRejected when the form has more than `max_fields` fields or its keys and
    cleaned values add up to more than `max_total_chars`: it stops reading at the first field
    past either limit, so a 10,000-field form costs no more than a 65-field one. Otherwise
    fields with a key that is not `[a-z0-9_.-]{1,64}` (or that repeat one) are dropped, values
    are cleaned (one line, no control or bidi characters) and cut to `max_value_chars` with
    "…". Unknown well-formed keys are kept, after the known ones, for newer clients' fields.
    """
    known: dict[str, str] = {}
    unknown: dict[str, str] = {}
    total = 0
    dropped = 0
    for count, pair in enumerate(pairs, start=1):
        if count > max_fields:
            raise SysinfoRejected(f"too many fields: more than {max_fields}")
        try:
            key, value = pair
        except (TypeError, ValueError):
            dropped += 1
            continue
        if (
            not isinstance(key, str)
            or not isinstance(value, str)
            or len(key) > _KEY_MAX
            or KEY_PATTERN.fullmatch(key) is None
            or key in known
            or key in unknown
        ):
            dropped += 1
            continue
        value = clean_value(value, max_value_chars)
        total += len(key) + len(value)
        if total > max_total_chars:
            raise SysinfoRejected(f"too large: more than {max_total_chars} characters in all")
        (known if key in LABELS else unknown)[key] = value
    if dropped:
        # Counts only: the keys themselves are attacker-controlled text.
        log.info("received system info: dropped %d malformed or repeated field(s)", dropped)
    ordered = [SysinfoItem(k, known[k]) for k in LABELS if k in known]
    ordered.extend(SysinfoItem(k, v) for k, v in unknown.items())
    return SysinfoSnapshot(tuple(ordered), taken_at if taken_at is not None else utc_now())
