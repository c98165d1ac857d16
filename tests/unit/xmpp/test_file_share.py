"""A file message on the wire: a link for every client, metadata for ours."""

from __future__ import annotations

import hashlib

import pytest
from slixmpp import Message
from slixmpp.xmlstream import ET

from supporttray.core.file_offer import FileOffer
from supporttray.xmpp.file_share import add_offer, offer_in, readable_body, register_file_plugins

OFFER = FileOffer("https://upload.example.org/x/screen.png", "screen.png", 1234, "image/png",
                  hashlib.sha256(b"png").hexdigest())


def received(xml: str) -> Message:
    register_file_plugins()
    return Message(xml=ET.fromstring(xml))


def test_a_sent_offer_reads_back_whole_and_carries_oob_for_plain_clients() -> None:
    stanza = Message()
    stanza["body"] = readable_body(OFFER, "Here it is")
    add_offer(stanza, OFFER)
    again = received(str(stanza))
    assert offer_in(again) == OFFER
    assert again["oob"]["url"] == OFFER.url
    assert again["body"] == f"Here it is\n{OFFER.url}"


def test_a_bare_oob_link_is_an_offer_named_after_the_link() -> None:
    stanza = received("<message xmlns='jabber:client'><body>x</body>"
                      "<x xmlns='jabber:x:oob'><url>https://h/p/log.txt</url></x></message>")
    assert offer_in(stanza) == FileOffer("https://h/p/log.txt", "log.txt")


def test_a_hostile_name_size_or_hash_is_made_harmless() -> None:
    stanza = received(
        "<message xmlns='jabber:client'><file-sharing xmlns='urn:xmpp:sfs:0'>"
        "<file xmlns='urn:xmpp:file:metadata:0'><name>../../.ssh/authorized_keys</name>"
        "<size>lots</size><hash xmlns='urn:xmpp:hashes:2' algo='sha-256'>!!</hash></file>"
        "<sources><url-data xmlns='http://jabber.org/protocol/url-data' target='https://h/k'/>"
        "</sources></file-sharing></message>")
    offer = offer_in(stanza)
    assert offer == FileOffer("https://h/k", "authorized_keys", None,
                              "application/octet-stream", "")


def test_a_message_without_a_file_offers_none() -> None:
    assert offer_in(received("<message xmlns='jabber:client'><body>hi</body></message>")) is None


@pytest.mark.asyncio
async def test_a_server_without_an_upload_service_is_a_sentence_before_any_upload() -> None:
    from pathlib import Path

    from supporttray.app.transfers import FileTransfers, TransferError
    from supporttray.core.file_offer import FilePolicy
    from supporttray.language.sentence import Sentence
    from supporttray.xmpp.discovery import ServiceLookup
    from supporttray.xmpp.file_share import FileShareWire

    class NoUpload:
        async def find(self, _kind: tuple[str, str]) -> ServiceLookup:
            return ServiceLookup(reason=Sentence("{domain} has no {kind} service",
                                                 {"domain": "example.org", "kind": "store/file"}))

    wire = FileShareWire()
    wire._client, wire._services = object(), NoUpload()  # as install() would leave them
    transfers = FileTransfers(wire, tls=lambda: None,  # type: ignore[arg-type,return-value]
                              policy=FilePolicy, downloads=Path)
    with pytest.raises(TransferError) as error:
        await transfers.send("ann@example.org", Path(__file__))
    assert str(error.value) == ("The server offers no file upload service (example.org has no "
                                "store/file service).")
