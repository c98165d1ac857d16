"""A file offered in a chat, and the rules about it that need no network, disk or Qt.

What a message says about a file (link, name, size, media type, SHA-256), whether it may be
fetched without a click (policy `files.*`, https only, the server's own upload host), where it
is saved without overwriting anything, how a transfer's progress reads, and every sentence a
transfer can end with. xmpp/file_share.py reads and writes the wire; app/transfers.py moves
the bytes.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path, PurePath
from urllib.parse import unquote, urlsplit

from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence

MB = 1024 * 1024

# What a received name may not keep: path separators, control characters, and what Windows
# refuses in a file name. A name is shown and saved, never used as a path.
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_MAX_NAME_CHARS = 120


class FilesAllowed(enum.Enum):
    """Policy `files.allowed`."""

    OFF = "off"
    IMAGES = "images"
    ALL = "all"


@dataclass(frozen=True)
class FilePolicy:
    """The `files.*` keys as the transfer rules read them."""

    allowed: FilesAllowed = FilesAllowed.ALL
    max_mb: int = 100
    auto_download_images: bool = True

    @property
    def max_bytes(self) -> int:
        return self.max_mb * MB


@dataclass(frozen=True)
class FileOffer:
    """A file a message points at. `size` None: the sender did not say; `sha256` "": no hash."""

    url: str
    name: str
    size: int | None = None
    media_type: str = "application/octet-stream"
    sha256: str = ""  # lower-case hex

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def secure(self) -> bool:
        return urlsplit(self.url).scheme.lower() == "https"


def name_from_url(url: str) -> str:
    """The last path segment of `url`, made safe: what a link without metadata is called."""
    segment = unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    return safe_file_name(segment)


def safe_file_name(name: str) -> str:
    """`name` as a plain file name: no directories, no characters a file system refuses."""
    base = PurePath(name.replace("\\", "/")).name
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .")
    if len(cleaned) > _MAX_NAME_CHARS:
        stem, dot, suffix = cleaned.rpartition(".")
        keep = _MAX_NAME_CHARS - len(suffix) - 1
        cleaned = f"{stem[:keep]}.{suffix}" if dot and 0 < len(suffix) < 16 else cleaned[
            :_MAX_NAME_CHARS]
    return cleaned or "file"


def free_path(directory: Path, name: str, exists: Callable[[Path], bool]) -> Path:
    """Where `name` can be saved in `directory` without replacing anything: "name.ext", else
    "name (1).ext", "name (2).ext", ..."""
    safe = safe_file_name(name)
    candidate = directory / safe
    if not exists(candidate):
        return candidate
    stem, suffix = _split_suffix(safe)
    number = 1
    while True:
        candidate = directory / f"{stem} ({number}){suffix}"
        if not exists(candidate):
            return candidate
        number += 1


def _split_suffix(name: str) -> tuple[str, str]:
    """("report", ".tar.gz") keeps a double suffix together, so the number goes before it."""
    path = PurePath(name)
    suffixes = "".join(path.suffixes[-2:]) if path.suffixes[-1:] in ([".gz"], [".xz"],
                                                                    [".bz2"]) else path.suffix
    if not suffixes or suffixes == name:
        return name, ""
    return name[: -len(suffixes)], suffixes


def may_send(policy: FilePolicy, media_type: str) -> Sentence | None:
    """None when policy lets this file go out, else the sentence why not."""
    if policy.allowed is FilesAllowed.OFF:
        return Sentence(N_("Sending files is turned off on this computer."))
    if policy.allowed is FilesAllowed.IMAGES and not media_type.startswith("image/"):
        return Sentence(N_("Only pictures may be sent from this computer."))
    return None


def may_fetch_automatically(offer: FileOffer, policy: FilePolicy,
                            own_hosts: Collection[str]) -> bool:
    """Fetch without a click: only https, only from our own server, only what policy allows,
    and only pictures (when allowed) up to `files.max_mb`. Everything else waits for the
    person, and a link elsewhere stays a link."""
    if not may_fetch(offer, policy, own_hosts):
        return False
    if not (offer.is_image and policy.auto_download_images):
        return False
    return offer.size is not None and offer.size <= policy.max_bytes


def may_fetch(offer: FileOffer, policy: FilePolicy, own_hosts: Collection[str]) -> bool:
    """Whether the app downloads this offer at all (after a click): https from our own server
    (`own_hosts`: its domain, host and upload host; a subdomain of one counts, as
    upload.example.org does for example.org), of a kind policy allows."""
    if policy.allowed is FilesAllowed.OFF:
        return False
    if policy.allowed is FilesAllowed.IMAGES and not offer.is_image:
        return False
    host = offer.host
    ours = any(host == own.lower() or host.endswith("." + own.lower())
               for own in own_hosts if own)
    return offer.secure and bool(host) and ours


@dataclass(frozen=True)
class TransferProgress:
    """How far a transfer is: bytes done of `total`, after `elapsed` seconds."""

    done: int
    total: int
    elapsed: float

    @property
    def bytes_per_second(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        speed = self.bytes_per_second
        if speed <= 0 or self.total <= 0:
            return None
        return max(0.0, (self.total - self.done) / speed)

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total > 0 else 1.0

    def sentence(self) -> Sentence:
        """"12.0 of 200.0 MB, 45.3 MB/s, 4 s left"."""
        left = self.seconds_left
        return Sentence(N_("{done} of {total}, {speed}/s, {left} left"), {
            "done": size_text(self.done), "total": size_text(self.total),
            "speed": size_text(int(self.bytes_per_second)),
            "left": Sentence(N_("{seconds} s"), {"seconds": "?" if left is None
                                                 else math.ceil(left)}),
        })


def size_text(size: int) -> str:
    """Bytes as people read them: "512 B", "3.4 kB", "200.0 MB", "1.2 GB" (binary units, as a
    server's limit is usually set)."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("kB", "MB", "GB"):
        value /= 1024
        if value < 1024 or unit == "GB":
            break
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


# -- how a transfer ends, as a sentence a person can act on -------------------------------------

def too_large(limit: int) -> Sentence:
    return Sentence(N_("The server accepts files up to {limit}."), {"limit": size_text(limit)})


def no_upload_service(reason: Sentence | None = None) -> Sentence:
    if reason is None:
        return Sentence(N_("The server offers no file upload service."))
    return Sentence(N_("The server offers no file upload service ({reason})."),
                    {"reason": reason})


def disk_full(directory: str) -> Sentence:
    return Sentence(N_("There is not enough free space in {directory} for this file."),
                    {"directory": directory})


def link_expired() -> Sentence:
    return Sentence(N_("This link has expired: ask the sender to send the file again."))


def hash_mismatch(path: str) -> Sentence:
    return Sentence(N_("The file that arrived is not the one that was sent (its SHA-256 "
                       "differs); it was kept aside as {path} and not opened."), {"path": path})


def refused(reason: str) -> Sentence:
    return Sentence(N_("The server refused the file: {reason}"), {"reason": reason})


def unreachable(reason: str) -> Sentence:
    return Sentence(N_("The file could not be transferred: {reason}"), {"reason": reason})


def cancelled() -> Sentence:
    return Sentence(N_("The transfer was cancelled."))
