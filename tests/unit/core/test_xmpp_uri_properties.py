"""xmpp: links (core/xmpp_uri.py) under hypothesis: whatever a web page puts in a link, the
parser gives a link or an XmppUriError (a sentence, exit 2), never anything else; and a link
built by percent-encoding any text gives that text back."""

from __future__ import annotations

from urllib.parse import quote

from hypothesis import example, given
from hypothesis import strategies as st

from supporttray.core.xmpp_uri import XmppUriError, parse_xmpp_uri
from tests.unit.hostile_input import ANY_TEXT, AWKWARD, examples

# Text made of the characters that mean something in a link, and of awkward ones.
LINK_PARTS = st.text(st.sampled_from("xmpp:?;=&%@/#+ aZ09é" + AWKWARD + "%2%FF%C3%20"),
                     max_size=60)
NODE = st.from_regex(r"[a-z0-9._-]{1,12}", fullmatch=True).filter(
    lambda n: not n.startswith(".") and not n.endswith("."))
DOMAIN = st.from_regex(r"[a-z0-9-]{1,10}(\.[a-z]{2,6}){0,2}", fullmatch=True)


@examples(300)
@given(tail=st.one_of(ANY_TEXT, LINK_PARTS))
@example(tail="a@b?message;body=%")
@example(tail="a@b?message;body=%ED%A0%80")  # an encoded lone surrogate
@example(tail="\ud800@b")
def test_any_link_opens_or_says_why_not(tail: str) -> None:
    try:
        link = parse_xmpp_uri("xmpp:" + tail)
    except XmppUriError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert link.jid.count("@") == 1 and "/" not in link.jid


@examples(200)
@given(node=NODE, domain=DOMAIN, body=ANY_TEXT, subject=ANY_TEXT)
def test_percent_encoded_text_comes_back_as_written(node: str, domain: str, body: str,
                                                    subject: str) -> None:
    def encode(text: str) -> str:
        return quote(text, safe="", errors="surrogatepass")

    uri = f"xmpp:{node}@{domain}?message;body={encode(body)};subject={encode(subject)}"
    try:
        link = parse_xmpp_uri(uri)
    except XmppUriError as exc:
        # Only text that is not UTF-8 (a lone surrogate) may be refused.
        assert "UTF-8" in str(exc)
        assert any("\ud800" <= c <= "\udfff" for c in body + subject)
    else:
        assert (link.jid, link.body, link.subject) == (f"{node}@{domain}", body, subject)
