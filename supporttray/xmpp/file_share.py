"""A file in a chat message, on the wire: the link for every client, and its metadata for ours.

Every client shows a link: the URL is the body's last line and out-of-band data (XEP-0066,
which Conversations, Gajim, Dino and Monal show inline). Name, size, media type and SHA-256
go as Stateless File Sharing (XEP-0447): XEP-0446 file metadata with a XEP-0300 hash and the
URL as its source. Standard elements rather than one of our own namespace, because Gajim and
Dino already read them, and because nothing here is specific to SupportTray.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import Callable
from typing import Any

from slixmpp import Message
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.plugins.xep_0066.stanza import OOB
from slixmpp.plugins.xep_0300.stanza import Hash
from slixmpp.plugins.xep_0446.stanza import File
from slixmpp.plugins.xep_0447.stanza import Sources, StatelessFileSharing, UrlData
from slixmpp.xmlstream import register_stanza_plugin

from supporttray.core.file_offer import (
    FileOffer,
    name_from_url,
    no_upload_service,
    safe_file_name,
    unreachable,
)
from supporttray.core.jid import bare_jid
from supporttray.core.messages import new_message_id
from supporttray.xmpp.discovery import UPLOAD, ServiceDirectory
from supporttray.xmpp.file_upload import UploadRefused, UploadSlot, request_slot
from supporttray.xmpp.messaging import register_wire_plugins
from supporttray.xmpp.stream_management import StreamWatch

log = logging.getLogger("supporttray.xmpp")

_SHA256 = "sha-256"
# What we read in a message, for disco#info: out-of-band links and file-sharing metadata.
FILE_FEATURES = ("jabber:x:oob", "urn:xmpp:sfs:0", "urn:xmpp:file:metadata:0")
ACK_TIMEOUT = 30.0

OfferListener = Callable[[str, str, FileOffer], None]  # peer, message id, offer


class FileShareWire:
    """One client's file messages: the upload service, slots, offers out and offers in."""

    def __init__(self) -> None:
        self._client: Any = None
        self._services: ServiceDirectory | None = None
        self._stream: StreamWatch | None = None
        self._acks: dict[str, asyncio.Future[None]] = {}
        self._listeners: list[OfferListener] = []

    def install(self, client: Any, services: ServiceDirectory,
                stream: StreamWatch | None = None) -> None:
        register_file_plugins()
        register_wire_plugins(client)  # receipts and origin-id, as on every chat message
        self._client = client
        self._services = services
        self._stream = stream
        client.register_plugin("xep_0199")
        client.add_event_handler("stanza_acked", self._on_acked)
        client.add_event_handler("message", self._on_message)

    def subscribe(self, listener: OfferListener) -> None:
        """Hear of every file a peer offers us (live messages)."""
        self._listeners.append(listener)

    async def upload_service(self) -> str:
        """The JID of the server's HTTP upload service; UploadRefused when it has none."""
        if self._client is None or self._services is None:
            raise UploadRefused(unreachable("not connected"))
        lookup = await self._services.find(UPLOAD)
        if not lookup.jid:
            raise UploadRefused(no_upload_service(lookup.reason))
        return lookup.jid

    async def slot(self, service: str, *, name: str, size: int, media_type: str) -> UploadSlot:
        return await request_slot(self._client, service, name=name, size=size,
                                  media_type=media_type)

    async def send_offer(self, peer: str, offer: FileOffer, text: str,
                         thread: str | None = None) -> str:
        """Send the file message; returns its id once the server has it (stream management's
        ack, else the answer to a ping sent after it: the server handles a stream in order)."""
        client = self._client
        if client is None:
            raise UploadRefused(unreachable("not connected"))
        stanza = client.make_message(mto=peer, mtype="chat")
        message_id = new_message_id()
        stanza["id"] = message_id
        stanza["body"] = readable_body(offer, text)
        if thread:
            stanza["thread"] = thread
        stanza["request_receipt"] = True
        stanza["origin_id"]["id"] = message_id
        add_offer(stanza, offer)
        tracked = self._stream is not None and self._stream.enabled
        acked = asyncio.get_running_loop().create_future()
        if tracked:
            self._acks[message_id] = acked
        try:
            stanza.send()
            if tracked and self._stream is not None:
                self._stream.expect_ack()
                await asyncio.wait_for(acked, ACK_TIMEOUT)
            else:
                await client.plugin["xep_0199"].ping(jid=client.boundjid.domain,
                                                     timeout=ACK_TIMEOUT)
        except (TimeoutError, IqTimeout) as exc:
            raise UploadRefused(unreachable("the server did not confirm the message")) from exc
        except IqError:
            pass  # a server that refuses pings still answered after handling our message
        finally:
            self._acks.pop(message_id, None)
        return message_id

    def _on_acked(self, stanza: Any) -> None:
        if stanza.name != "message":
            return
        pending = self._acks.get(stanza["id"])
        if pending is not None and not pending.done():
            pending.set_result(None)

    def _on_message(self, stanza: Any) -> None:
        if stanza["type"] not in ("chat", "normal") or not self._listeners:
            return
        offer = offer_in(stanza)
        if offer is None:
            return
        peer = bare_jid(str(stanza["from"]))
        if peer == bare_jid(str(self._client.boundjid.bare)):
            return
        for listener in list(self._listeners):
            listener(peer, stanza["id"] or "", offer)


_registered = False


def register_file_plugins() -> None:
    """Teach slixmpp our file elements, once (every received message asks)."""
    global _registered
    if _registered:
        return
    _registered = True
    register_stanza_plugin(Message, OOB)
    register_stanza_plugin(Message, StatelessFileSharing)
    register_stanza_plugin(StatelessFileSharing, File)
    register_stanza_plugin(StatelessFileSharing, Sources)
    register_stanza_plugin(Sources, UrlData)
    register_stanza_plugin(File, Hash)


def readable_body(offer: FileOffer, text: str) -> str:
    """What a plain client shows: the person's words, then the link on a line of its own."""
    return f"{text.rstrip()}\n{offer.url}" if text.strip() else offer.url


def add_offer(stanza: Any, offer: FileOffer) -> None:
    """Put `offer` on a message stanza as OOB and XEP-0447 metadata (the body is the caller's)."""
    register_file_plugins()
    stanza["oob"]["url"] = offer.url
    sfs = stanza["sfs"]
    sfs["disposition"] = "inline" if offer.is_image else "attachment"
    metadata = sfs["file"]
    metadata["name"] = offer.name
    metadata["media-type"] = offer.media_type
    if offer.size:
        metadata["size"] = offer.size
    if offer.sha256:
        metadata["hash"]["algo"] = _SHA256
        metadata["hash"]["value"] = base64.b64encode(bytes.fromhex(offer.sha256)).decode()
    sfs["sources"]["url-data"]["target"] = offer.url


def offer_in(stanza: Any) -> FileOffer | None:
    """The file a received message offers, or None. Metadata is only believed for the URL it
    names; a bare OOB link gets its name from the URL and nothing else."""
    register_file_plugins()
    oob = stanza.get_plugin("oob", check=True)
    oob_url = str(oob["url"]).strip() if oob is not None else ""
    sfs = stanza.get_plugin("sfs", check=True)
    if sfs is not None:
        sources = sfs.get_plugin("sources", check=True)
        target = ""
        if sources is not None:
            data = sources.get_plugin("url-data", check=True)
            target = str(data["target"]).strip() if data is not None else ""
        metadata = sfs.get_plugin("file", check=True)
        if target and metadata is not None:
            return FileOffer(
                url=target,
                name=safe_file_name(str(metadata["name"]) or name_from_url(target)),
                size=_size(metadata),
                media_type=str(metadata["media-type"]).strip() or "application/octet-stream",
                sha256=_sha256(metadata),
            )
    if oob_url:
        return FileOffer(url=oob_url, name=name_from_url(oob_url))
    return None


def _size(metadata: Any) -> int | None:
    try:
        size = metadata["size"]
    except ValueError:
        return None
    return size if isinstance(size, int) and size >= 0 else None


def _sha256(metadata: Any) -> str:
    for child in metadata.xml.findall(f"{{{Hash.namespace}}}hash"):
        if child.get("algo") == _SHA256:
            try:
                digest = base64.b64decode((child.text or "").strip(), validate=True)
            except (binascii.Error, ValueError):
                return ""
            return digest.hex() if len(digest) == 32 else ""
    return ""
