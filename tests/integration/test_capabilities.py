"""What other clients learn about us: entity capabilities (XEP-0115) in our presence and the
disco#info they point at, so a plain client knows we do receipts, chat states and the rest."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from .conftest import XmppServer
from .test_chat_wire import staff_app_and_peer

NS_CAPS = "http://jabber.org/protocol/caps"
EXPECTED_FEATURES = {
    "http://jabber.org/protocol/disco#info",
    "http://jabber.org/protocol/caps",
    "urn:xmpp:receipts",
    "http://jabber.org/protocol/chatstates",
    "urn:xmpp:time",
    "urn:xmpp:idle:1",
    "jabber:iq:last",
    "jabber:iq:version",
    "urn:xmpp:ping",
    "urn:xmpp:sid:0",
    "urn:xmpp:fallback:0",
    "urn:supporttray:sysinfo:1",
    "urn:supporttray:request:0",  # staff mode: the staff room's events
    "jabber:x:oob",  # files: the link, and its metadata
    "urn:xmpp:sfs:0",
    "urn:xmpp:file:metadata:0",
}


@pytest.mark.asyncio
async def test_our_presence_carries_caps_that_lead_to_what_we_support(
    xmpp_server: XmppServer,
) -> None:
    async with staff_app_and_peer(xmpp_server) as (staff, peer):
        client = peer.client
        assert client is not None
        client.register_plugin("xep_0030")
        client.register_plugin("xep_0115")
        presences: asyncio.Queue[Any] = asyncio.Queue()
        client.add_event_handler("presence_available", presences.put_nowait)

        # when the requester's plain client subscribes to the staff member (approved by policy)
        client.send_presence_subscription(pto=staff.jid, ptype="subscribe")
        presence = await asyncio.wait_for(presences.get(), timeout=10)
        while presence["from"].bare != staff.jid:
            presence = await asyncio.wait_for(presences.get(), timeout=10)

        # then the presence names our node and a SHA-1 verification string
        caps = presence.xml.find(f"{{{NS_CAPS}}}c")
        assert caps is not None, str(presence)
        assert caps.get("node") == "urn:supporttray" and caps.get("hash") == "sha-1"
        ver = caps.get("ver")

        # and disco#info on node#ver says who we are and what we support
        iq = await client.plugin["xep_0030"].get_info(
            jid=presence["from"], node=f"urn:supporttray#{ver}", timeout=10)
        info = iq["disco_info"]
        assert ("client", "pc", None, "SupportTray") in info["identities"]
        assert not EXPECTED_FEATURES - set(info["features"])
        # and the string really is the hash of that answer (what a client checks before caching)
        assert client.plugin["xep_0115"].generate_verstring(info, "sha-1") == ver
