"""Matching each received stanza against slixmpp's handlers without the repeated work.

slixmpp offers every stanza to every handler, and most handlers match by StanzaPath
('message/muc/invite', 'iq@type=set/command'). slixmpp 1.17's StanzaPath.match tries the path
twice when it fails, once as the split list and once as the raw string, which ElementBase.match
re-splits with fix_ns(propagate_ns=False): that drops every namespace, so the second try sees
the very list the first one saw and can only fail again. With the MUC, carbons, pubsub, ad-hoc
and stream-management handlers the app registers (47 in staff mode), that second try and the
call into a stanza that is not even the right kind (a 'message/...' path offered a presence)
were most of the work of dispatching a stanza: ~50 µs each, a third of a staff login's CPU
while 1,000 presences arrive (13 µs with this, measured on this machine).

This answers the same question: the first step of ElementBase.match (is the path's first tag
this stanza, or one of its plugins?) done here without a call, then one match of the split
path. tests/unit/test_handler_matching.py compares both on every handler a client registers.
"""

from __future__ import annotations

from typing import Any

from slixmpp.xmlstream.matcher.stanzapath import StanzaPath
from slixmpp.xmlstream.matcher.xpath import MatchXPath

_installed = False
# Kept so tests compare against slixmpp's own matching even after install_quick_matching().
SLOW_STANZA_PATH_MATCH = StanzaPath.match
SLOW_XPATH_MATCH = MatchXPath.match


def quick_match(self: Any, stanza: Any) -> bool:
    """StanzaPath.match: the same answer, with the path's first tag checked inline."""
    try:
        tag = self._first_tag
    except AttributeError:
        tag = self._first_tag = self._criteria[0].split("@", 1)[0]
    # The first check of ElementBase.match (plugin_attrib is a str there too: a substring
    # test). Its fourth alternative, "{namespace}name", cannot equal a tag that fix_ns left
    # without a namespace, which is every tag with propagate_ns=False.
    if (tag != stanza.name and tag not in stanza.loaded_plugins
            and tag not in stanza.plugin_attrib and not tag.startswith("{")):
        return False
    return bool(stanza.match(self._criteria))


def first_step(path: str) -> str | None:
    """The first step of an ElementTree path when it is a plain (qualified) tag, else None."""
    after_ns = path.find("}") + 1 if path.startswith("{") else 0
    slash = path.find("/", after_ns)
    step = path if slash < 0 else path[:slash]
    if not step[after_ns:] or any(c in step[after_ns:] for c in "*[.@{}"):
        return None
    return step


def quick_xpath_match(self: Any, stanza: Any) -> bool:
    """MatchXPath.match: the same answer, without building a wrapper element for a stanza
    whose own tag is not the path's first step (slixmpp finds the path under a fresh <x/>)."""
    try:
        tag = self._first_step
    except AttributeError:
        tag = self._first_step = first_step(self._criteria)
    if tag is not None and stanza.xml.tag != tag:
        return False
    return bool(SLOW_XPATH_MATCH(self, stanza))


def install_quick_matching() -> None:
    """Replace slixmpp's StanzaPath.match and MatchXPath.match once per process."""
    global _installed
    if _installed:
        return
    StanzaPath.match = quick_match  # type: ignore[method-assign]
    MatchXPath.match = quick_xpath_match  # type: ignore[method-assign,assignment]
    _installed = True
