"""`xmpp:` links (RFC 5122, XEP-0147), read into what SupportTray can do with them: a message to
someone, optionally prefilled.

What we do not support (an account named in the link, `?roster`, `?join`, ...) is an
`XmppUriError` whose sentence says so; so is a link that is not one. Pure: no Qt, no slixmpp.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from supporttray.core.jid import looks_like_bare_jid

SCHEME = "xmpp:"
# A percent sign must start an escape of two hex digits (RFC 3986 2.1); `unquote` would let a
# stray one through as text, and the link would then mean something its author did not write.
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# XEP-0147's registry, with what each action does, for the sentence that says we do not do it.
_OTHER_ACTIONS = {
    "roster": "add a contact",
    "subscribe": "ask to see someone's presence",
    "unsubscribe": "stop seeing someone's presence",
    "remove": "remove a contact",
    "join": "join a group chat",
    "invite": "invite someone to a group chat",
    "register": "register an account",
    "unregister": "remove an account",
    "vcard": "show a profile",
    "pubsub": "subscribe to a feed",
    "recvfile": "receive a file",
    "sendfile": "send a file",
    "command": "run an ad-hoc command",
    "disco": "browse a service",
}


class XmppUriError(ValueError):
    """The link cannot be opened: the message is a sentence for the person who clicked it."""


@dataclass(frozen=True)
class XmppLink:
    """A link to write to `jid` (bare: links name a person, not one of their devices)."""

    jid: str
    body: str = ""
    subject: str = ""

    @property
    def text(self) -> str:
        """What the message box is prefilled with: the subject on its own line, then the body."""
        return "\n\n".join(part for part in (self.subject, self.body) if part)


def looks_like_xmpp_uri(text: str) -> bool:
    """Whether `text` is meant as an xmpp: link (the scheme ignores case, RFC 3986 3.1)."""
    return text[: len(SCHEME)].lower() == SCHEME


def parse_xmpp_uri(uri: str) -> XmppLink:
    """Read an `xmpp:JID[?message[;body=...][;subject=...]]` link; XmppUriError otherwise."""
    if not looks_like_xmpp_uri(uri):
        raise XmppUriError("this is not an xmpp: link; it should look like "
                           "xmpp:alice@example.org?message;body=Hello")
    rest = uri[len(SCHEME):]
    if "#" in rest:
        rest = rest.split("#", 1)[0]  # a fragment identifies nothing in XMPP (RFC 5122 2.3)
    if rest.startswith("//"):
        raise XmppUriError("links that choose which of your accounts to use (xmpp://...) are "
                           "not supported; use a link like xmpp:alice@example.org")
    path, _, query = rest.partition("?")
    jid = _jid(path, uri)
    if not query:
        return XmppLink(jid)
    action, *pairs = query.split(";")
    action = _decoded(action, "the action").lower()
    if action != "message":
        what = _OTHER_ACTIONS.get(action)
        doing = f"to {what} (?{action})" if what else f"with the action {action[:30]!r}"
        raise XmppUriError(f"SupportTray cannot open links {doing}; it opens links that start "
                           "a message, like xmpp:alice@example.org?message;body=Hello")
    fields: dict[str, str] = {}
    for pair in pairs:
        if not pair:
            continue  # `?message;` and `;;` happen in hand-written links and mean nothing
        key, equals, value = pair.partition("=")
        if not equals:
            raise XmppUriError(f"the link's part {pair[:40]!r} has no value; write it as "
                               "key=value, e.g. body=Hello")
        # Keys we do not know (thread, type, id, from) are ignored, as XEP-0147 asks.
        fields[_decoded(key, "a key").lower()] = _decoded(value, f"the {key[:20]!r} value")
    return XmppLink(jid, body=fields.get("body", ""), subject=fields.get("subject", ""))


def _jid(path: str, uri: str) -> str:
    decoded = _decoded(path, "the address")
    bare = decoded.split("/", 1)[0].strip()  # a resource names a device; we write to the person
    if not bare:
        raise XmppUriError("the link names nobody to write to; it should look like "
                           "xmpp:alice@example.org")
    if not looks_like_bare_jid(bare) or any(not c.isprintable() for c in bare):
        shown = bare if len(bare) <= 60 else bare[:59] + "…"
        if "@" not in bare:
            raise XmppUriError(f"the link names a server ({shown!r}), not a person; it should "
                               "look like xmpp:alice@example.org")
        raise XmppUriError(f"{shown!r} in the link is not a chat address; it should look like "
                           "alice@example.org")
    return bare.lower()


def _decoded(text: str, what: str) -> str:
    """Percent-decoded as UTF-8 (RFC 5122 2.2); a broken escape or byte sequence is an error."""
    if _BAD_ESCAPE.search(text):
        raise XmppUriError(f"{what} in the link has a % that is not followed by two hex "
                           "digits (a space is written %20)")
    try:
        return _unquote_strict(text)
    except UnicodeDecodeError:
        raise XmppUriError(f"{what} in the link is not percent-encoded UTF-8 text") from None


def _unquote_strict(text: str) -> str:
    # urllib.parse.unquote replaces bad UTF-8 silently; these bytes must decode or be refused.
    out = bytearray()
    i = 0
    while i < len(text):
        if text[i] == "%":
            out.append(int(text[i + 1:i + 3], 16))
            i += 3
        else:
            out += text[i].encode("utf-8", "surrogatepass")
            i += 1
    return out.decode("utf-8")
