"""The catalogue's former place (it moved to supporttray/language/catalogue.py, below config, so
config's sentences can be translated too); kept for modules written against this path while
other branches were open. New code imports supporttray.language.catalogue."""

from supporttray.language.catalogue import (
    DOMAIN,
    LOCALE_DIR,
    N_,
    _,
    install,
    ngettext,
    resolve_language,
)

__all__ = ["DOMAIN", "LOCALE_DIR", "N_", "_", "install", "ngettext", "resolve_language"]
