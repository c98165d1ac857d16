"""Sending and receiving files: what the chat window, the ask window and `supporttray send`
share.

Send: policy check, a slot from the server's upload service (XEP-0363), the PUT streamed from
disk (hashed on the way), then the message with the link and its metadata, done once the server
has it. Receive: policy check, a GET streamed into a part file in the Downloads folder, the
SHA-256 compared, and the file renamed to a name nothing else has ("name (1).ext"); a file whose
hash differs is kept aside under a name that says so, never opened. Each failure is a sentence.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import mimetypes
import os
import shutil
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from supporttray.app.http_transfer import (
    HttpError,
    ProgressCallback,
    TransferFailed,
    get_file,
    put_file,
)
from supporttray.core.file_offer import (
    FileOffer,
    FilePolicy,
    FilesAllowed,
    disk_full,
    free_path,
    hash_mismatch,
    link_expired,
    may_fetch,
    may_fetch_automatically,
    may_send,
    refused,
    safe_file_name,
    unreachable,
)
from supporttray.core.jid import bare_jid
from supporttray.core.messages import ChatMessage, Delivery, Direction
from supporttray.language.catalogue import N_
from supporttray.language.sentence import Sentence
from supporttray.xmpp.file_share import readable_body
from supporttray.xmpp.file_upload import UploadRefused, UploadSlot

log = logging.getLogger("supporttray.app")

# Links that are gone: the server expired the upload, or never had it.
_EXPIRED = (403, 404, 410)
_PART_SUFFIX = ".part"


class TransferError(Exception):
    """A transfer that did not complete; `sentence` says why for the person."""

    def __init__(self, sentence: Sentence) -> None:
        super().__init__(str(sentence))
        self.sentence = sentence


class HashMismatch(TransferError):
    """The file arrived but is not the one announced; it was kept at `kept_at`."""

    def __init__(self, kept_at: Path) -> None:
        super().__init__(hash_mismatch(str(kept_at)))
        self.kept_at = kept_at


class FileWire(Protocol):
    """What transfers need from the XMPP side (xmpp.file_share.FileShareWire)."""

    async def upload_service(self) -> str: ...

    async def slot(self, service: str, *, name: str, size: int,
                   media_type: str) -> UploadSlot: ...

    async def send_offer(self, peer: str, offer: FileOffer, text: str,
                         thread: str | None = None) -> str: ...


@dataclass(frozen=True)
class SentFile:
    offer: FileOffer
    message_id: str


class PolicySettings(Protocol):
    def get_str(self, key: str) -> str: ...

    def get_int(self, key: str) -> int: ...

    def get_bool(self, key: str) -> bool: ...


def file_policy(settings: PolicySettings) -> FilePolicy:
    """The `files.*` keys, as they are now."""
    return FilePolicy(allowed=FilesAllowed(settings.get_str("files.allowed")),
                      max_mb=settings.get_int("files.max_mb"),
                      auto_download_images=settings.get_bool("files.auto_download_images"))


def media_type_of(path: Path) -> str:
    guessed, _encoding = mimetypes.guess_type(path.name, strict=False)
    return guessed or "application/octet-stream"


class FileTransfers:
    """Moves files for one account. `tls` gives the context XMPP uses (system store plus
    server.ca_file); `policy` is read at each transfer, so a changed policy applies at once."""

    def __init__(self, wire: FileWire, *, tls: Callable[[], ssl.SSLContext],
                 policy: Callable[[], FilePolicy], downloads: Callable[[], Path],
                 record: Callable[[ChatMessage], None] | None = None,
                 own_hosts: Callable[[], tuple[str, ...]] = tuple) -> None:
        self._wire = wire
        self._record = record  # the chat and its history, as a message written elsewhere
        self._tls = tls
        self._policy = policy
        self._downloads = downloads
        self._own_hosts = own_hosts  # the server's domain and host (policy), for may_fetch
        self.upload_host = ""  # the host of our own upload service's links, once we used it

    async def send(self, peer: str, path: Path, text: str = "", *, thread: str | None = None,
                   progress: ProgressCallback | None = None) -> SentFile:
        """Upload `path` and send it to `peer` with `text`; TransferError with the reason.
        Cancelling the task cancels the upload; sending again is the retry (a new slot)."""
        media_type = media_type_of(path)
        forbidden = may_send(self._policy(), media_type)
        if forbidden is not None:
            raise TransferError(forbidden)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise TransferError(Sentence(N_("{path} cannot be read: {reason}"), {
                "path": str(path), "reason": exc.strerror or str(exc)})) from exc
        name = safe_file_name(path.name)
        try:
            service = await self._wire.upload_service()
            slot = await self._wire.slot(service, name=name, size=size, media_type=media_type)
            self.upload_host = _host(slot.get_url)
            sha256 = await put_file(slot.put_url, path, size=size, content_type=media_type,
                                    headers=dict(slot.headers), tls=self._tls(),
                                    progress=progress)
            offer = FileOffer(url=slot.get_url, name=name, size=size, media_type=media_type,
                              sha256=sha256)
            message_id = await self._wire.send_offer(peer, offer, text, thread)
        except UploadRefused as exc:
            raise TransferError(exc.sentence) from exc
        except HttpError as exc:
            raise TransferError(_http_sentence(exc)) from exc
        except TransferFailed as exc:
            raise TransferError(unreachable(str(exc))) from exc
        except OSError as exc:
            raise TransferError(unreachable(exc.strerror or str(exc))) from exc
        if self._record is not None:
            self._record(ChatMessage(
                id=message_id, peer=bare_jid(peer), direction=Direction.OUT,
                body=readable_body(offer, text), timestamp=datetime.now(UTC), thread=thread,
                delivery=Delivery.SENT))
        log.info("sent a file of %d bytes to %s", size, peer)
        return SentFile(offer, message_id)

    def sends_files(self) -> bool:
        """Whether policy lets anything be sent (`files.allowed` not off): the attach buttons."""
        return self._policy().allowed is not FilesAllowed.OFF

    def may_fetch(self, offer: FileOffer) -> bool:
        """Whether this app downloads `offer` at all (else it is just a link)."""
        return may_fetch(offer, self._policy(), self.own_hosts())

    def fetches_automatically(self, offer: FileOffer) -> bool:
        """A small picture from our own server: fetched at once, for its thumbnail."""
        return may_fetch_automatically(offer, self._policy(), self.own_hosts())

    def own_hosts(self) -> tuple[str, ...]:
        return (*self._own_hosts(), self.upload_host)

    async def fetch(self, offer: FileOffer, *, directory: Path | None = None,
                    progress: ProgressCallback | None = None) -> Path:
        """Download `offer` into `directory` (the Downloads folder), verified; its path.
        HashMismatch when the SHA-256 differs, TransferError for everything else."""
        folder = directory or self._downloads()
        folder.mkdir(parents=True, exist_ok=True)
        if offer.size is not None:
            free = shutil.disk_usage(folder).free
            if free < offer.size:
                raise TransferError(disk_full(str(folder)))
        part = free_path(folder, offer.name + _PART_SUFFIX, _taken)
        try:
            with part.open("xb") as target:
                fetched = await get_file(offer.url, target, tls=self._tls(),
                                         expected_size=offer.size,
                                         # not past what was announced (a lying link)
                                         max_bytes=offer.size,
                                         progress=progress)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                part.unlink()
            if isinstance(exc, HttpError):
                raise TransferError(_http_sentence(exc)) from exc
            if isinstance(exc, TransferFailed):
                raise TransferError(unreachable(str(exc))) from exc
            if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                raise TransferError(disk_full(str(folder))) from exc
            if isinstance(exc, OSError):
                raise TransferError(unreachable(exc.strerror or str(exc))) from exc
            raise
        if offer.sha256 and fetched.sha256 != offer.sha256.lower():
            kept = free_path(folder, f"{offer.name}.unverified", _taken)
            os.replace(part, kept)
            log.warning("a received file's SHA-256 differs from the announced one; kept aside")
            raise HashMismatch(kept)
        final = free_path(folder, offer.name, _taken)
        os.replace(part, final)
        return final


def _taken(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _http_sentence(exc: HttpError) -> Sentence:
    if exc.status in _EXPIRED:
        return link_expired()
    if exc.status == 413:
        return too_large_unknown()
    return refused(f"{exc.status} {exc.reason}".strip())


def too_large_unknown() -> Sentence:
    return Sentence(N_("The server refused the file as too large."))
