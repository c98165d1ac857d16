"""The quick handler matching gives exactly slixmpp's answers, for every handler the app's
plugins register and every kind of stanza a server sends."""

from __future__ import annotations

from typing import Any

import pytest
import slixmpp
from slixmpp.xmlstream import ET
from slixmpp.xmlstream.matcher.stanzapath import StanzaPath
from slixmpp.xmlstream.matcher.xpath import MatchXPath

from supporttray.xmpp.handler_matching import (
    SLOW_STANZA_PATH_MATCH,
    SLOW_XPATH_MATCH,
    first_step,
    install_quick_matching,
    quick_match,
    quick_xpath_match,
)

# Every plugin connection.py, messaging.py, staff_room.py, capabilities.py and
# stream_management.py register, so every handler they bring is compared.
PLUGINS = ("xep_0004", "xep_0012", "xep_0030", "xep_0045", "xep_0050", "xep_0060", "xep_0085",
           "xep_0092", "xep_0115", "xep_0184", "xep_0198", "xep_0199", "xep_0202", "xep_0203",
           "xep_0249", "xep_0280", "xep_0297", "xep_0313", "xep_0319", "xep_0334", "xep_0359",
           "xep_0428")

STANZAS = [
    "<presence from='a@x/r'/>",
    "<presence from='a@x/r' type='unavailable'/>",
    "<presence from='a@x/r'><show>away</show><c xmlns='http://jabber.org/protocol/caps' "
    "hash='sha-1' node='n' ver='v'/></presence>",
    "<presence from='room@muc/nick'><x xmlns='http://jabber.org/protocol/muc#user'>"
    "<item affiliation='member' role='participant'/><status code='110'/></x></presence>",
    "<presence from='room@muc/nick' type='error'><x xmlns='http://jabber.org/protocol/muc'/>"
    "<error type='cancel'><registration-required "
    "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>",
    "<presence from='a@x' type='subscribe'/>",
    "<message from='a@x/r' type='chat'><body>hi</body></message>",
    "<message from='room@muc/nick' type='groupchat'><body>hi</body></message>",
    "<message from='room@muc' type='groupchat'><subject>s</subject></message>",
    "<message from='room@muc' type='error'><error type='cancel'/></message>",
    "<message from='room@muc'><x xmlns='http://jabber.org/protocol/muc#user'>"
    "<invite from='b@x'/></x></message>",
    "<message from='room@muc'><x xmlns='http://jabber.org/protocol/muc#user'>"
    "<decline from='b@x'/></x></message>",
    "<message from='b@x'><x xmlns='jabber:x:conference' jid='room@muc'/></message>",
    "<message from='a@x'><received xmlns='urn:xmpp:carbons:2'><forwarded "
    "xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' type='chat'><body>b</body>"
    "</message></forwarded></received></message>",
    "<message from='a@x'><sent xmlns='urn:xmpp:carbons:2'><forwarded "
    "xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/></forwarded></sent></message>",
    "<message from='a@x'><result xmlns='urn:xmpp:mam:2' queryid='q' id='1'><forwarded "
    "xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client'/></forwarded></result>"
    "</message>",
    "<message from='pubsub.x'><event xmlns='http://jabber.org/protocol/pubsub#event'>"
    "<items node='n'><item id='1'/></items></event></message>",
    "<message from='a@x'><x xmlns='jabber:x:data' type='form'/></message>",
    "<message from='a@x' type='chat'><composing "
    "xmlns='http://jabber.org/protocol/chatstates'/></message>",
    "<message from='a@x'><received xmlns='urn:xmpp:receipts' id='m1'/></message>",
    "<iq from='a@x/r' type='get' id='1'><query "
    "xmlns='http://jabber.org/protocol/disco#info'/></iq>",
    "<iq from='a@x/r' type='get' id='2'><query "
    "xmlns='http://jabber.org/protocol/disco#items'/></iq>",
    "<iq from='a@x/r' type='set' id='3'><command xmlns='http://jabber.org/protocol/commands' "
    "node='n'/></iq>",
    "<iq from='a@x/r' type='get' id='4'><time xmlns='urn:xmpp:time'/></iq>",
    "<iq from='a@x/r' type='get' id='5'><ping xmlns='urn:xmpp:ping'/></iq>",
    "<iq from='a@x/r' type='get' id='6'><query xmlns='jabber:iq:last'/></iq>",
    "<iq from='a@x/r' type='get' id='7'><query xmlns='jabber:iq:version'/></iq>",
    "<iq type='set' id='8'><query xmlns='jabber:iq:roster'><item jid='a@x'/></query></iq>",
    "<iq type='result' id='9'/>",
    "<a xmlns='urn:xmpp:sm:3' h='4'/>",
    "<r xmlns='urn:xmpp:sm:3'/>",
    "<enabled xmlns='urn:xmpp:sm:3' id='s' resume='true'/>",
    "<resumed xmlns='urn:xmpp:sm:3' h='1' previd='s'/>",
    "<failed xmlns='urn:xmpp:sm:3'/>",
]


@pytest.fixture(scope="module")
def client() -> Any:
    client = slixmpp.ClientXMPP("desk@x/tray", "pw")
    for plugin in PLUGINS:
        client.register_plugin(plugin)
    return client


def handlers(client: Any) -> list[Any]:
    return list(client._XMLStream__handlers)  # slixmpp keeps them private


def stanza(client: Any, text: str) -> Any:
    """The stanza slixmpp builds from this element as a server sends it (jabber:client)."""
    return client._build_stanza(ET.fromstring(f"<stream xmlns='jabber:client'>{text}</stream>")[0])


def test_every_handler_answers_every_stanza_as_slixmpp_does(client: Any) -> None:
    # given every handler of a fully equipped client, and a stanza of each kind
    matchers = [h._matcher for h in handlers(client)]
    compared = 0
    for text in STANZAS:
        received = stanza(client, text)
        for matcher in matchers:
            # when both ways of matching answer
            if isinstance(matcher, StanzaPath):
                slow, quick = (SLOW_STANZA_PATH_MATCH(matcher, received),
                               quick_match(matcher, received))
            elif isinstance(matcher, MatchXPath):
                slow, quick = (SLOW_XPATH_MATCH(matcher, received),
                               quick_xpath_match(matcher, received))
            else:
                continue
            # then they agree
            assert bool(slow) == quick, (matcher._criteria, text)
            compared += 1
    assert compared > 1000


def test_each_stanza_kind_is_matched_by_some_handler(client: Any) -> None:
    # a comparison where everything says "no" would prove nothing
    matchers = [h._matcher for h in handlers(client)
                if isinstance(h._matcher, StanzaPath | MatchXPath)]
    install_quick_matching()
    unmatched = [text for text in STANZAS
                 if not any(m.match(stanza(client, text)) for m in matchers)]
    assert len(unmatched) < len(STANZAS) // 4, unmatched


@pytest.mark.parametrize(("path", "step"), [
    ("{urn:xmpp:sm:3}a", "{urn:xmpp:sm:3}a"),
    ("{jabber:client}message/{urn:xmpp:mam:2}result", "{jabber:client}message"),
    ("{http://jabber.org/protocol/muc}x/{a}b", "{http://jabber.org/protocol/muc}x"),
    ("message", "message"),
    ("*/{a}b", None),
    ("{a}b[@c='d']", None),
    (".//{a}b", None),
    ("", None),
])
def test_the_first_step_is_taken_only_when_it_is_a_plain_tag(path: str, step: str | None) -> None:
    assert first_step(path) == step
