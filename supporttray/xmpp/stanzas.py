"""Our own elements on the wire, declared as slixmpp stanza plugins.

Every element we add rides beside a readable `<body>`, so a plain XMPP client shows a sentence
and nothing else. None of them is a top-level `jabber:x:data` form: clients (Profanity 0.13
seen) take a form in a message for one to fill in, open a form window and hide the body.

    <sysinfo xmlns='urn:supporttray:sysinfo:1'>          a request's machine-readable system
      <x xmlns='jabber:x:data' type='result'>...</x>     info (XEP-0004 result form, FORM_TYPE
    </sysinfo>                                           urn:supporttray:sysinfo:0)

    <request xmlns='urn:supporttray:request:0' id='THREAD' from='ann@example.org'
             thread='THREAD' opened='2026-11-24T09:12:03Z' summary='Windows 11 · Latitude'>
      first line of the question
      <question>the whole question</question>
      <x xmlns='jabber:x:data' type='result'>...</x>     (inside our element: no client reads it)
    </request>
    <claim xmlns='urn:supporttray:request:0' request='THREAD' by='alice@example.org'/>
    <resolved xmlns='urn:supporttray:request:0' request='THREAD' by='alice@example.org'/>
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, ClassVar

from slixmpp import Message
from slixmpp.plugins.xep_0004.stanza import FieldOption, Form, FormField
from slixmpp.xmlstream import ET, ElementBase, register_stanza_plugin

from supporttray.core.jid import bare_jid
from supporttray.core.sysinfo import FORM_TYPE

NS_SYSINFO = "urn:supporttray:sysinfo:1"
NS_REQUEST = "urn:supporttray:request:0"
NS_DATA = "jabber:x:data"
# Stop reading a form past this many fields: validate_received rejects more anyway. The
# incoming filter (prune_forms) cuts longer forms before slixmpp builds an object per field.
FORM_FIELD_LIMIT = 64
_FIELD = f"{{{NS_DATA}}}field"
_OTHER_CHILDREN = 8  # title, instructions, reported, …: a form needs only a few


def attribute_text(text: str) -> str:
    """`text` as it survives an XML attribute: slixmpp writes tab, CR and LF unescaped, and
    every parser reads them back as spaces. A thread id (the requester's client chooses it; as
    element text it may hold line breaks) is a request's id in the staff room's attributes, so
    it is taken in this form from the start: the same id for us and for every colleague."""
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def delay_time(stanza: Any) -> datetime | None:
    """The original time a delay element (XEP-0203) on `stanza` gives: an offline message's, an
    archived one's (on its forwarded element). In UTC and never later than now."""
    delay = stanza.get_plugin("delay", check=True)
    if delay is None:
        return None
    try:
        # The attribute, not delay["stamp"]: slixmpp's date parser raises on a malformed one.
        stamp = datetime.fromisoformat((delay.xml.get("stamp") or "").replace("Z", "+00:00"))
        # In UTC now: a stamp that has no UTC date (year 1 at +23:00) would be stored, and
        # then break reading the chat back from the history.
        stamp = (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    # Never later than now: a stamp in the future (a forged delay element) would keep the
    # message below everything said after it, and the request "recent" for ever.
    return min(stamp, datetime.now(UTC))


def stanza_id_by(message: Any, by: str) -> str:
    """The stanza-id (XEP-0359) that `by` (our account, a room) gave `message`, or "". Read from
    the XML: slixmpp declares one stanza-id per message, and a message may carry several. Only
    the one named by whoever asks may be trusted: their server removes forged ones."""
    for sid in message.xml.iterfind("{urn:xmpp:sid:0}stanza-id"):
        if bare_jid(sid.get("by", "")) == bare_jid(by) and sid.get("id"):
            return str(sid.get("id"))
    return ""


def form_pairs(form: Form) -> list[tuple[str, str]] | None:
    """(var, value) of a system-info form's fields, FORM_TYPE left out; None for another form."""
    pairs: list[tuple[str, str]] = []
    typed = False
    for field in form.iterables:
        if not isinstance(field, FormField):
            continue
        var = field["var"] or ""
        value = field.xml.findtext(f"{{{NS_DATA}}}value") or ""  # one value, as a string
        if var == "FORM_TYPE":
            if value != FORM_TYPE:
                return None
            typed = True
            continue
        pairs.append((var, value))
        if len(pairs) > FORM_FIELD_LIMIT:
            break  # "too many": validate_received says so; reading on would only cost time
    return pairs if typed else None


def attached_sysinfo(message: Message) -> list[tuple[str, str]] | None:
    """The system-info fields a message carries (our attachment, or the top-level form earlier
    SupportTray sent); None when it carries none."""
    attachment = message.get_plugin("supporttray_sysinfo", check=True)
    form = (attachment.get_plugin("form", check=True) if attachment is not None
            else message.get_plugin("form", check=True))
    return form_pairs(form) if isinstance(form, Form) else None


def fill_form(form: Form, pairs: Iterable[tuple[str, str]]) -> None:
    """Make `form` the system-info result form for these fields."""
    form["type"] = "result"
    form.append(_field("FORM_TYPE", FORM_TYPE, "hidden"))
    for key, value in pairs:
        form.append(_field(key, value))


def _field(var: str, value: str, kind: str = "") -> FormField:
    field = FormField()
    field["var"] = var
    field["type"] = kind
    field["value"] = value
    return field


class SysinfoAttachment(ElementBase):
    """The machine-readable system info of a request, wrapped so no client takes it for a
    form to fill in. `pairs`: [(key, value)] in the order sent."""

    namespace = NS_SYSINFO
    name = "sysinfo"
    plugin_attrib = "supporttray_sysinfo"
    interfaces: ClassVar[set[str]] = {"pairs"}

    def get_pairs(self) -> list[tuple[str, str]]:
        form = self.get_plugin("form", check=True)
        return (form_pairs(form) if isinstance(form, Form) else None) or []

    def set_pairs(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.del_pairs()
        fill_form(self["form"], pairs)

    def del_pairs(self) -> None:
        del self["form"]


class _RoomEvent(ElementBase):
    namespace = NS_REQUEST
    interfaces: ClassVar[set[str]] = {"request", "by"}

    def set_request(self, request_id: str) -> None:
        self._set_attr("request", attribute_text(request_id))


class RoomRequest(ElementBase):
    """A request announced to the staff room. `first_line` is the element's text; the whole
    question and the system-info form ride inside (older SupportTray reads them there)."""

    namespace = NS_REQUEST
    name = "request"
    plugin_attrib = "supporttray_request"
    interfaces: ClassVar[set[str]] = {"id", "from", "thread", "opened", "summary", "first_line",
                                      "question", "sysinfo"}
    sub_interfaces: ClassVar[set[str]] = {"question"}

    def set_id(self, request_id: str) -> None:
        self._set_attr("id", attribute_text(request_id))

    def set_thread(self, thread: str) -> None:
        self._set_attr("thread", attribute_text(thread))

    def get_first_line(self) -> str:
        return self.xml.text or ""

    def set_first_line(self, text: str) -> None:
        self.xml.text = text

    def del_first_line(self) -> None:
        self.xml.text = None

    def get_sysinfo(self) -> list[tuple[str, str]] | None:
        """None when the request carries no system-info form."""
        form = self.get_plugin("form", check=True)
        return form_pairs(form) if isinstance(form, Form) else None

    def set_sysinfo(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.del_sysinfo()
        pairs = list(pairs)
        if pairs:
            fill_form(self["form"], pairs)

    def del_sysinfo(self) -> None:
        del self["form"]


class RoomClaim(_RoomEvent):
    """`by` takes the request `request` for the team; the first claim in the room wins."""

    name = "claim"
    plugin_attrib = "supporttray_claim"


class RoomResolved(_RoomEvent):
    """`by` marked the request `request` resolved."""

    name = "resolved"
    plugin_attrib = "supporttray_resolved"


def prune_forms(xml: ET.Element) -> ET.Element:
    """Cut every data form in a message, at any depth (our wrapper, a room request, an archive
    result), to one field more than we ever read: slixmpp builds an object per field when it
    parses, and a 10,000-field form froze the loop for ~150 ms before this ran first."""
    if not xml.tag.endswith("}message"):
        return xml
    for form in list(xml.iter(f"{{{NS_DATA}}}x")):
        if len(form) > FORM_FIELD_LIMIT + 2:
            form[:] = _pruned(form)
    return xml


def _pruned(form: ET.Element) -> list[ET.Element]:
    """The form's first fields (one more than FORM_TYPE and the limit: still "too many" for
    validate_received) and its first few other children (title, instructions), in order."""
    kept: list[ET.Element] = []
    fields = others = 0
    for child in form:
        if child.tag == _FIELD:
            fields += 1
            if fields > FORM_FIELD_LIMIT + 2:
                continue
        else:
            others += 1
            if others > _OTHER_CHILDREN:
                continue
        kept.append(child)
    return kept


def register() -> None:
    """Declare our elements to slixmpp (idempotent)."""
    # As slixmpp's xep_0004 plugin does (requester mode does not load it).
    register_stanza_plugin(FormField, FieldOption, iterable=True)
    register_stanza_plugin(Form, FormField, iterable=True)
    register_stanza_plugin(Message, SysinfoAttachment)
    register_stanza_plugin(SysinfoAttachment, Form)
    # The form as SupportTray sent it before the sysinfo:1 wrapper, a top-level child of the
    # message: still read from earlier versions.
    register_stanza_plugin(Message, Form)
    register_stanza_plugin(Message, RoomRequest)
    register_stanza_plugin(RoomRequest, Form)
    register_stanza_plugin(Message, RoomClaim)
    register_stanza_plugin(Message, RoomResolved)


register()
