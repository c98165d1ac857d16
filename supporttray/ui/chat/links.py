"""Opening a link from a message: only the schemes we allow, with the desktop's opener."""

from __future__ import annotations

import logging

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from supporttray.ui.message_text import is_allowed_link

log = logging.getLogger("supporttray.ui")


def open_allowed_link(url: str) -> bool:
    """Open `url` with the desktop, only if its scheme is one we allow; the default opener."""
    if not is_allowed_link(url):
        log.warning("refused to open a link with a scheme that is not allowed")
        return False
    qurl = QUrl(url, QUrl.ParsingMode.TolerantMode)
    if qurl.scheme().lower() not in ("http", "https", "mailto", "xmpp"):
        log.warning("refused to open a link with a scheme that is not allowed")
        return False
    return QDesktopServices.openUrl(qurl)

