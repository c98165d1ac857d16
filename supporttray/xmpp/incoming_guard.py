"""Stanzas no honest peer sends, defused on the raw XML before slixmpp builds objects from them.

- Data forms of thousands of fields (stanzas.prune_forms): slixmpp builds an object per field,
  and a 10,000-field form froze the loop for ~150 ms.
- Forwarded messages nested in forwarded messages (XEP-0297): ours go two deep at most (a carbon
  of an archived message); slixmpp builds the nesting recursively and runs out of stack at about
  84 levels, which only ejabberd delivers.
- A roster push that does not come from our own account (RFC 6121 2.1.6: ignore it). slixmpp
  1.17's own refusal puts an int into the error element and fails in its send queue.
In both cases what reaches slixmpp is the empty shell of the stanza: nothing to act on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from slixmpp.xmlstream import ET

from supporttray.xmpp.stanzas import prune_forms

log = logging.getLogger("supporttray.xmpp")

_FORWARDED = "{urn:xmpp:forward:0}forwarded"
FORWARDS_ALLOWED = 4
_ROSTER_QUERY = "{jabber:iq:roster}query"


def install(client: object, own_bare_jid: Callable[[], str]) -> None:
    """Chain the guard in front of the client's incoming filter."""
    previous = client.incoming_filter  # type: ignore[attr-defined]

    def guarded(xml: ET.Element) -> ET.Element:
        return defused(previous(xml), own_bare_jid())

    client.incoming_filter = guarded  # type: ignore[attr-defined]


def defused(xml: ET.Element, own_bare_jid: str) -> ET.Element:
    tag = xml.tag
    if tag.endswith("}message"):
        prune_forms(xml)
        for forwards, _ in enumerate(xml.iter(_FORWARDED), 1):
            if forwards > FORWARDS_ALLOWED:
                log.info("dropped a message from %s: forwarded messages nested too deep",
                         xml.get("from", "?"))
                return _shell(xml)
    elif tag.endswith("}iq") and xml.get("type") == "set" and \
            xml.find(_ROSTER_QUERY) is not None:
        sender = (xml.get("from") or "").split("/", 1)[0].lower()
        if sender and sender not in (own_bare_jid, own_bare_jid.partition("@")[2]):
            log.info("ignored a roster push from %s: only our server may send one", sender)
            return _shell(xml)
    return xml


def _shell(xml: ET.Element) -> ET.Element:
    return ET.Element(xml.tag, dict(xml.attrib))
