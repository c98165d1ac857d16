"""What hostile input looks like, for the property tests (tests/unit/*/test_*_properties.py):
hypothesis settings they all share, strategies for text and XML trees, and the trip over the
wire that slixmpp makes.

Everything a peer sends reaches us through the server's XML parser and then slixmpp's, so the
text in a tree we build here is what XML 1.0 can carry: no C0 controls but tab and line ends,
no lone surrogates, no U+FFFE/U+FFFF. Attribute values also leave out tab and line ends, which
every parser turns into spaces (XML 1.0 3.3.3), so a round trip can say "the same value".
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from itertools import groupby

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from slixmpp.xmlstream import ET, tostring

from supporttray.core.sysinfo import FORM_TYPE
from supporttray.xmpp.stanzas import NS_DATA, NS_REQUEST, NS_SYSINFO

# Derandomized: CI runs the same examples on every run and machine, so a red build is red again
# when run again. No example database: nothing a local run found changes what CI tries.
FIXED = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def examples(n: int) -> settings:
    """The shared settings with `n` examples: modest counts keep the whole set to seconds."""
    return settings(FIXED, max_examples=n)


# Characters that make trouble somewhere: bidi controls and isolates, C1 controls, DEL, line and
# paragraph separators, a BOM, markup, quotes, a CDATA end, an emoji with a joiner, a
# combining mark, the ellipsis we cut with, and characters outside the BMP.
AWKWARD = (
    "\u202e\u202d\u2066\u2067\u2069\u200e\u200f\u061c\x85\x9b\x7f\u2028\u2029\ufeff\u200b"
    "&<>'\"]]>…\u0301\U0001f5a8\ufe0f\u200d\U0001f469\U00010348\ufffd\ufdd0"
)
_XML_ALLOWED = st.characters(
    codec="utf-8",  # no lone surrogates
    exclude_characters="\ufffe\uffff",
    exclude_categories=["Cc"],
)
XML_CHAR = st.one_of(_XML_ALLOWED, st.sampled_from(AWKWARD + "\t\n"))
ATTRIBUTE_CHAR = st.one_of(_XML_ALLOWED, st.sampled_from(AWKWARD))


def _long(chars: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    # Thousands of characters without thousands of draws: a short run repeated.
    return st.builds(lambda run, times: run * times, st.text(chars, min_size=1, max_size=8),
                     st.integers(min_value=100, max_value=1000))


XML_TEXT = st.one_of(st.text(XML_CHAR, max_size=40), _long(XML_CHAR))
ATTRIBUTE_TEXT = st.one_of(st.text(ATTRIBUTE_CHAR, max_size=40), _long(ATTRIBUTE_CHAR))
# Whatever a str may hold, surrogates and controls included: what our own code may be handed.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=200)

# Names and namespaces that our readers and slixmpp's look for, mixed with nobody's.
_NAMESPACES = (NS_SYSINFO, NS_REQUEST, NS_DATA, "jabber:client", "urn:xmpp:mam:2",
               "urn:xmpp:forward:0", "urn:xmpp:fallback:0", "urn:xmpp:delay", "urn:xmpp:sid:0",
               "http://jabber.org/protocol/muc#user", "urn:example:evil", "")
_NAMES = ("sysinfo", "request", "claim", "resolved", "x", "field", "value", "option", "question",
          "body", "thread", "message", "result", "forwarded", "fallback", "delay", "stanza-id",
          "evil")
_ATTRIBUTES = ("var", "type", "id", "from", "by", "request", "opened", "thread", "summary",
               "start", "end", "for", "stamp", "label", "{http://www.w3.org/XML/1998/namespace}lang",
               "{urn:example:evil}by")
_ATTRIBUTE_VALUES = st.one_of(
    ATTRIBUTE_TEXT,
    st.sampled_from(["FORM_TYPE", FORM_TYPE, "result", "hidden", "0", "-1", "99999999999999999999",
                     "ann@example.org", "@", "a@b/c/d", "2026-11-24T09:00:00Z"]),
)


def _tag(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}" if namespace else name


def _element(tag: str, attributes: dict[str, str], text: str | None,
             children: Sequence[ET.Element], tail: str | None) -> ET.Element:
    element = ET.Element(tag, attributes)
    element.text = text
    element.tail = tail
    element.extend(children)
    return element


_TAGS = st.builds(_tag, st.sampled_from(_NAMESPACES), st.sampled_from(_NAMES))
# Inside trees text stays short: every character is a draw, and a tree holds many texts.
_SHORT_TEXT = st.one_of(st.none(), st.text(XML_CHAR, max_size=6), _long(XML_CHAR))
ATTRIBUTES = st.dictionaries(
    st.sampled_from(_ATTRIBUTES),
    st.one_of(st.text(ATTRIBUTE_CHAR, max_size=6), _ATTRIBUTE_VALUES),
    max_size=2,
)
# Any tree at all of the elements above, a few levels deep.
TREES: st.SearchStrategy[ET.Element] = st.recursive(
    st.builds(_element, _TAGS, ATTRIBUTES, _SHORT_TEXT, st.just(()), _SHORT_TEXT),
    lambda children: st.builds(_element, _TAGS, ATTRIBUTES, _SHORT_TEXT,
                               st.lists(children, max_size=3), _SHORT_TEXT),
    max_leaves=5,
)


@st.composite
def data_forms(draw: st.DrawFn) -> ET.Element:
    """A jabber:x:data form that looks like ours to some degree: a FORM_TYPE somewhere (or not,
    or twice, or someone else's), fields with odd vars, no value, several values, garbage
    inside, other elements between the fields; sometimes thousands of fields."""
    form = ET.Element(_tag(NS_DATA, "x"), {"type": draw(st.sampled_from(["result", "form", ""]))})
    fields: list[ET.Element] = []
    for _ in range(draw(st.integers(min_value=0, max_value=5))):
        var = draw(st.one_of(st.sampled_from(["os.name", "cpu", "FORM_TYPE", "", "OS.NAME"]),
                             ATTRIBUTE_TEXT))
        field = ET.Element(_tag(NS_DATA, "field"), {"var": var} if var else {})
        for value in draw(st.lists(XML_TEXT, max_size=2)):
            ET.SubElement(field, _tag(NS_DATA, "value")).text = value
        if draw(st.integers(min_value=0, max_value=4)) == 0:
            field.append(draw(TREES))
        fields.append(field)
    # Children of a form that are not fields: its title and instructions, anyone's elements.
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        other = draw(st.one_of(TREES, st.sampled_from(["title", "instructions", "reported"]).map(
            lambda name: ET.Element(_tag(NS_DATA, name)))))
        fields.insert(draw(st.integers(min_value=0, max_value=len(fields))), other)
    if draw(st.booleans()):
        typed = ET.Element(_tag(NS_DATA, "field"), {"var": "FORM_TYPE", "type": "hidden"})
        ET.SubElement(typed, _tag(NS_DATA, "value")).text = draw(
            st.sampled_from([FORM_TYPE, FORM_TYPE, "urn:example:poll", ""]))
        fields.insert(draw(st.integers(min_value=0, max_value=len(fields))), typed)
    form.extend(fields)
    # (10,000 fields cost nothing more to read than 500; the integration tests send those.)
    flood = draw(st.sampled_from([0, 0, 0, 63, 64, 65, 66, 67, 500]))
    for i in range(flood):
        ET.SubElement(form, _tag(NS_DATA, "field"), {"var": f"k{i}"})
    return form


def outline(element: ET.Element) -> str:
    """A short picture of an element's children, for a failing example: hypothesis can only
    print an Element as its address. `x[title, field var='FORM_TYPE', field var=k<n> x65]`."""

    def part(child: ET.Element) -> str:
        name = child.tag.rpartition("}")[2]
        var = child.get("var")
        if var is None:
            return name
        if var.startswith("k") and var[1:].isdigit():
            return f"{name} var=k<n>"  # the flood's fields: counted, not listed
        return f"{name} var={var[:20]!r}"

    runs = [(text, len(list(group))) for text, group in groupby(part(c) for c in element)]
    listed = ", ".join(text if count == 1 else f"{text} x{count}" for text, count in runs)
    return f"{element.tag.rpartition('}')[2]}[{listed}]"


@st.composite
def hostile_children(draw: st.DrawFn) -> list[ET.Element]:
    """What a hostile message may carry besides its body: a form in our wrapper, at the top
    level, inside a room request or nested in an archive result, next to arbitrary trees."""
    children: list[ET.Element] = []
    for _ in range(draw(st.integers(min_value=0, max_value=2))):
        form = draw(data_forms())
        where = draw(st.sampled_from(["wrapped", "top", "request", "deep"]))
        if where == "wrapped":
            children.append(_element(_tag(NS_SYSINFO, "sysinfo"), {}, None, [form], None))
        elif where == "top":
            children.append(form)
        elif where == "request":
            children.append(_element(_tag(NS_REQUEST, "request"), draw(ATTRIBUTES),
                                     draw(_SHORT_TEXT), [form], None))
        else:
            outer = draw(TREES)
            outer.append(form)
            children.append(outer)
    children.extend(draw(st.lists(TREES, max_size=2)))
    return draw(st.permutations(children))


def message_with(children: Sequence[ET.Element], body: str | None = "hi") -> ET.Element:
    message = ET.Element("{jabber:client}message",
                         {"from": "ann@example.org/laptop", "type": "chat"})
    if body is not None:
        ET.SubElement(message, "{jabber:client}body").text = body
    message.extend(children)
    return message


_STREAM_HEADER = ("<stream:stream xmlns='jabber:client' "
                  "xmlns:stream='http://etherx.jabber.org/streams'>")


def over_the_wire(stanza: ET.Element) -> ET.Element:
    """`stanza` as the receiver's slixmpp has it: serialised as slixmpp sends it (a child of a
    jabber:client stream, in UTF-8), then parsed inside that stream by the same expat."""
    data = tostring(stanza, xmlns="jabber:client", top_level=True).encode("utf-8")
    stream = ET.fromstring(_STREAM_HEADER.encode() + data + b"</stream:stream>")
    (arrived,) = stream
    return arrived


def _iso(moment: datetime, zulu: bool) -> str:
    text = moment.isoformat()
    return text.replace("+00:00", "Z") if zulu else text


# UTC offsets as far as ISO 8601 and Python allow (less than a day either way).
_OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes)))
# What a peer may put where a timestamp belongs (a delay stamp, a request's `opened`): any
# moment at any offset (year 1 and 9999 included), a naive one, impossible dates, no date.
ISO_STAMPS = st.one_of(
    st.builds(_iso, st.datetimes(timezones=_OFFSETS), st.booleans()),
    st.builds(_iso, st.datetimes(), st.booleans()),
    st.sampled_from(["", "yesterday", "2026-11-24", "2026-02-30T00:00:00Z",
                     "2026-11-24T09:00:00+25:00", "2026-11-24T24:00:00Z", "2026-11-24T09:00:00z",
                     "+002026-11-24T09:00:00Z", "2026-11-24T09:00:00.123456789Z"]),
    ATTRIBUTE_TEXT,
)
