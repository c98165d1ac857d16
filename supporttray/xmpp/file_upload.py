"""HTTP File Upload (XEP-0363): ask the server's upload service for a slot.

The slot is a PUT URL (with the headers the PUT must carry) and the GET URL the peer fetches.
The bytes themselves go over HTTP (app/http_transfer.py); here is only the request and the
server's answer, including its refusals as sentences (the size limit it names).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from slixmpp import Iq
from slixmpp.exceptions import IqError, IqTimeout
from slixmpp.xmlstream import ElementBase, register_stanza_plugin

from supporttray.core.file_offer import refused, too_large, unreachable
from supporttray.language.sentence import Sentence

log = logging.getLogger("supporttray.xmpp")

NS_UPLOAD = "urn:xmpp:http:upload:0"
SLOT_TIMEOUT = 30.0
# The only headers XEP-0363 lets a slot ask for; anything else is dropped, not sent.
_ALLOWED_HEADERS = {"authorization", "cookie", "expires"}


class UploadRefused(Exception):
    """The service gave no slot; `sentence` says why for the person."""

    def __init__(self, sentence: Sentence) -> None:
        super().__init__(str(sentence))
        self.sentence = sentence


@dataclass(frozen=True)
class UploadSlot:
    put_url: str
    get_url: str
    headers: tuple[tuple[str, str], ...]


# Our own stanza classes: importing slixmpp's xep_0363 package imports aiohttp, which we do not
# ship (the bytes go through app/http_transfer.py).
class Request(ElementBase):
    name = "request"
    namespace = NS_UPLOAD
    plugin_attrib = "http_upload_request"
    interfaces: ClassVar[set[str]] = {"filename", "size", "content-type"}


class Slot(ElementBase):
    name = "slot"
    namespace = NS_UPLOAD
    plugin_attrib = "http_upload_slot"


class Put(ElementBase):
    name = "put"
    namespace = NS_UPLOAD
    plugin_attrib = "put"
    interfaces: ClassVar[set[str]] = {"url"}


class Get(ElementBase):
    name = "get"
    namespace = NS_UPLOAD
    plugin_attrib = "get"
    interfaces: ClassVar[set[str]] = {"url"}


class Header(ElementBase):
    name = "header"
    namespace = NS_UPLOAD
    plugin_attrib = "header"
    interfaces: ClassVar[set[str]] = {"name"}


def _register() -> None:
    register_stanza_plugin(Iq, Request)
    register_stanza_plugin(Iq, Slot)
    register_stanza_plugin(Slot, Put)
    register_stanza_plugin(Slot, Get)
    register_stanza_plugin(Put, Header, iterable=True)


async def request_slot(client: Any, service: str, *, name: str, size: int, media_type: str,
                       timeout: float = SLOT_TIMEOUT) -> UploadSlot:
    """A slot for `name` (`size` bytes) from `service`; UploadRefused with the reason."""
    _register()
    iq = client.make_iq_get(ito=service)
    request = iq["http_upload_request"]
    request["filename"] = name
    request["size"] = str(size)
    request["content-type"] = media_type
    try:
        answer = await iq.send(timeout=timeout)
    except IqTimeout as exc:
        raise UploadRefused(unreachable(f"{service} did not answer in time")) from exc
    except IqError as exc:
        raise UploadRefused(_refusal(exc.iq)) from exc
    slot = answer["http_upload_slot"]
    put_url = str(slot["put"]["url"])
    get_url = str(slot["get"]["url"])
    if not put_url or not get_url:
        raise UploadRefused(refused("the upload service answered without a link"))
    headers = tuple(
        (str(h["name"]), (h.xml.text or "").strip())
        for h in slot["put"]
        if isinstance(h, Header) and str(h["name"]).lower() in _ALLOWED_HEADERS
    )
    return UploadSlot(put_url, get_url, headers)


def _refusal(iq: Any) -> Sentence:
    """The server's "no" as a sentence: its size limit when it names one."""
    error = iq["error"]
    limit = error.xml.find(f"{{{NS_UPLOAD}}}file-too-large/{{{NS_UPLOAD}}}max-file-size")
    if limit is not None and (limit.text or "").strip().isdigit():
        return too_large(int((limit.text or "").strip()))
    condition = error["condition"]
    text = error["text"]
    log.info("the upload service refused a slot: %s %s", condition, text)
    return refused(text or condition)
