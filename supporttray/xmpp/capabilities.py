"""Saying what we are: disco#info identity and features (XEP-0030) and entity capabilities
(XEP-0115) in our presence, so other clients adapt (send receipts, chat states, ask our time).

slixmpp's xep_0115 plugin computes and answers the verification string; what it also does is
left out on purpose: its async outgoing filter makes every stanza we send wait a loop turn (the
send path is measured in milliseconds), and reading everyone else's caps costs a coroutine and
often a disco query per presence of a login flood, for nothing we use. We put the `<c/>` into
our presence ourselves.
"""

from __future__ import annotations

import logging
from typing import Any

from slixmpp.exceptions import XMPPError

from supporttray import APP_NAME
from supporttray.xmpp.file_share import FILE_FEATURES
from supporttray.xmpp.stanzas import NS_REQUEST, NS_SYSINFO

log = logging.getLogger("supporttray.xmpp")

CAPS_NODE = "urn:supporttray"
NS_FALLBACK = "urn:xmpp:fallback:0"
NS_ORIGIN_ID = "urn:xmpp:sid:0"


class Capabilities:
    """Our identity, features and caps hash for one client; refresh() once per session."""

    def __init__(self, client: Any, *, staff: bool) -> None:
        self._client = client
        self._staff = staff
        self._ver = ""
        client.register_plugin("xep_0115")
        caps = client.plugin["xep_0115"]
        # Set here, not as plugin config: another plugin may have loaded xep_0115 before us.
        caps.caps_node = CAPS_NODE
        caps.broadcast = False
        client.del_filter("out", caps._filter_add_caps)
        client.remove_handler("Entity Capabilities")
        client.del_event_handler("entity_caps", caps._process_caps)

    async def refresh(self) -> None:
        """Announce identity and features for the bound JID, and compute the caps hash."""
        client = self._client
        disco = client.plugin["xep_0030"]
        await disco.del_identity(category="client", itype="bot")
        await disco.add_identity(category="client", itype="pc", name=APP_NAME)
        features = [NS_SYSINFO, NS_FALLBACK, NS_ORIGIN_ID]
        if self._staff:
            features.append(NS_REQUEST)
        features += FILE_FEATURES  # clients that see these show our files inline
        for feature in features:
            await disco.add_feature(feature)
        caps = client.plugin["xep_0115"]
        try:
            await caps.update_caps(client.boundjid, broadcast=False)
            self._ver = str(await caps.get_verstring(client.boundjid.full) or "")
        except XMPPError as exc:  # local work only; a broken hash must not stop the login
            log.warning("could not compute our entity capabilities: %s", exc)
            self._ver = ""

    def add_to(self, presence: Any) -> None:
        """Put our caps into an available presence (no-op before the first refresh)."""
        if self._ver:
            presence["caps"]["node"] = CAPS_NODE
            presence["caps"]["hash"] = "sha-1"
            presence["caps"]["ver"] = self._ver
