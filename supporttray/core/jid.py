"""The little JID handling core needs, without slixmpp."""

from __future__ import annotations


def bare_jid(jid: str) -> str:
    """`Alice@Example.org/laptop` -> `alice@example.org` (node and domain ignore case)."""
    return jid.split("/", 1)[0].strip().lower()


def resource_of(jid: str) -> str:
    """The resource part of a full JID, or '' for a bare one."""
    parts = jid.split("/", 1)
    return parts[1] if len(parts) == 2 else ""


def local_part(jid: str) -> str:
    """`alice@example.org` -> `alice`; a domain-only JID gives the domain."""
    bare = jid.split("/", 1)[0]
    return bare.split("@", 1)[0] if "@" in bare else bare


def domain_of(jid: str) -> str:
    bare = bare_jid(jid)
    return bare.split("@", 1)[1] if "@" in bare else bare


def looks_like_bare_jid(text: str) -> bool:
    """True for `user@domain` with no resource, spaces or empty parts: what policy may name."""
    if not text or any(c.isspace() for c in text) or "/" in text or text.count("@") != 1:
        return False
    node, domain = text.split("@")
    return bool(node) and bool(domain) and not domain.startswith(".") and not domain.endswith(".")
