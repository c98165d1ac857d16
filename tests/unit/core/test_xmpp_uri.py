"""xmpp: links (core/xmpp_uri.py): what a link from a web page or a mail opens, and the
sentence for what it cannot."""

from __future__ import annotations

import pytest

from supporttray.core.xmpp_uri import XmppLink, XmppUriError, parse_xmpp_uri


def test_message_link_gives_the_person_and_the_decoded_body() -> None:
    link = parse_xmpp_uri("xmpp:alice@example.org?message;body=Hi%20there%2C%20%C3%A9t%C3%A9")
    assert link == XmppLink("alice@example.org", body="Hi there, été")


def test_subject_comes_first_on_its_own_line() -> None:
    link = parse_xmpp_uri("xmpp:alice@example.org?message;subject=Printer;body=It%20jams")
    assert link.text == "Printer\n\nIt jams"


def test_link_without_an_action_opens_an_empty_message() -> None:
    assert parse_xmpp_uri("xmpp:alice@example.org") == XmppLink("alice@example.org")


def test_scheme_and_action_ignore_case_and_the_address_is_made_bare() -> None:
    link = parse_xmpp_uri("XMPP:Alice@Example.ORG/phone?MESSAGE;BODY=x")
    assert link == XmppLink("alice@example.org", body="x")


def test_keys_we_do_not_use_are_ignored_as_xep_0147_asks() -> None:
    link = parse_xmpp_uri("xmpp:alice@example.org?message;thread=t1;type=chat;body=x;;")
    assert link == XmppLink("alice@example.org", body="x")


def test_plus_is_a_plus_not_a_space() -> None:
    # RFC 3986 percent-encoding, not HTML forms: "1+1" stays "1+1".
    assert parse_xmpp_uri("xmpp:a@example.org?message;body=1+1").body == "1+1"


def test_a_fragment_is_dropped() -> None:
    assert parse_xmpp_uri("xmpp:a@example.org?message;body=x#top").body == "x"


@pytest.mark.parametrize(("uri", "sentence"), [
    ("xmpp:alice@example.org?roster;name=Alice", "cannot open links to add a contact (?roster)"),
    ("xmpp:room@conference.example.org?join", "cannot open links to join a group chat"),
    ("xmpp:alice@example.org?frobnicate", "cannot open links with the action 'frobnicate'"),
    ("xmpp://me@example.org/alice@example.org?message", "(xmpp://...) are not supported"),
    ("xmpp:example.org?message", "names a server ('example.org'), not a person"),
    ("xmpp:?message;body=x", "names nobody to write to"),
    ("xmpp:", "names nobody to write to"),
    ("xmpp:a b@example.org", "is not a chat address"),
    ("xmpp:a@example.org?message;body=100%", "% that is not followed by two hex digits"),
    ("xmpp:a@example.org?message;body=%FF", "not percent-encoded UTF-8 text"),
    ("xmpp:a@example.org?message;body", "has no value; write it as key=value"),
    ("mailto:a@example.org", "not an xmpp: link"),
])  # fmt: skip
def test_what_cannot_be_opened_is_a_sentence(uri: str, sentence: str) -> None:
    with pytest.raises(XmppUriError) as caught:
        parse_xmpp_uri(uri)
    assert sentence in str(caught.value)
