"""The fast roster reading gives exactly what slixmpp's own reading gives, on awkward rosters."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from slixmpp.stanza import Iq
from slixmpp.stanza.roster import Roster
from slixmpp.xmlstream import ET

from supporttray.xmpp.fast_roster import SLOW_GET_ITEMS, fast_get_items, install_fast_roster_items

NS = "jabber:iq:roster"


def roster_iq(items: list[dict[str, Any]], ver: str | None = "v1") -> Any:
    """A roster result as the server sends it; each item: attrs (dict) and groups (list)."""
    iq = ET.Element("{jabber:client}iq", {"type": "result", "id": "r1"})
    query = ET.SubElement(iq, f"{{{NS}}}query")
    if ver is not None:
        query.set("ver", ver)
    for item in items:
        element = ET.SubElement(query, f"{{{NS}}}item", item.get("attrs", {}))
        for group in item.get("groups", []):
            # "" as <group/>, the way a parser hands it over (text None)
            ET.SubElement(element, f"{{{NS}}}group").text = group or None
        for extra in item.get("extra", []):
            ET.SubElement(element, extra)
    return Iq(xml=iq)["roster"]


def both_readings(roster: Any) -> tuple[list[Any], list[Any]]:
    """(slixmpp's, ours) as ordered (jid, values) pairs."""
    return list(SLOW_GET_ITEMS(roster).items()), list(fast_get_items(roster).items())


def test_an_awkward_roster_reads_the_same_both_ways() -> None:
    roster = roster_iq([
        {"attrs": {"jid": "alice@example.org", "subscription": "both", "name": "Alice Ærø 🛟"},
         "groups": ["Support Desk", "Floor 2"]},
        {"attrs": {"jid": "Bob@Example.org", "subscription": "none", "ask": "subscribe"}},
        {"attrs": {"jid": "carol@example.org", "subscription": "from", "approved": "true"},
         "groups": [""]},
        {"attrs": {"jid": "dave@example.org", "subscription": "remove"}},
        {"attrs": {"jid": "not a jid@@example.org", "subscription": "both"}},
        {"attrs": {"jid": "erin@example.org/phone", "subscription": "to", "name": ""},
         "extra": ["{urn:example:unknown}x", f"{{{NS}}}unknown"]},
        {"attrs": {"jid": "alice@example.org", "subscription": "to", "name": "Alice again"}},
        {"attrs": {"subscription": "both"}},
    ])  # fmt: skip

    slow, fast = both_readings(roster)

    assert fast == slow
    assert [str(jid) for jid, _ in fast][:2] == ["alice@example.org", "bob@example.org"]


def test_an_empty_roster_reads_the_same_both_ways() -> None:
    slow, fast = both_readings(roster_iq([], ver=None))
    assert fast == slow == []


_names = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12)
_items = st.fixed_dictionaries(
    {
        "attrs": st.fixed_dictionaries(
            {"jid": st.sampled_from(["a@x.org", "b@x.org", "c@x.org/r", "x.org", "@x.org", ""])},
            optional={
                "name": _names,
                "subscription": st.sampled_from(["none", "to", "from", "both", "remove", "odd"]),
                "ask": st.sampled_from(["subscribe", ""]),
                "approved": st.sampled_from(["true", "false", "1"]),
            },
        ),
        "groups": st.lists(_names, max_size=3),
    }
)


@given(st.lists(_items, max_size=8))
def test_any_roster_reads_the_same_both_ways(items: list[dict[str, Any]]) -> None:
    slow, fast = both_readings(roster_iq(items))
    assert fast == slow


def test_installing_makes_slixmpp_read_rosters_the_fast_way() -> None:
    install_fast_roster_items()
    roster = roster_iq([{"attrs": {"jid": "alice@example.org", "subscription": "both"},
                         "groups": ["Support Desk"]}])  # fmt: skip
    assert Roster.get_items is fast_get_items
    assert list(roster["items"].items()) == list(SLOW_GET_ITEMS(roster).items())
