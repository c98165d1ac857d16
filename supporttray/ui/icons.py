"""The state icons (tray, menu, window), rendered from the packaged SVGs."""

from __future__ import annotations

import enum
import logging
from importlib.resources import files
from importlib.resources.abc import Traversable

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from supporttray.core.connection import ConnectionState, ConnectionStatus
from supporttray.core.presence import Availability, SupportSummary

log = logging.getLogger("supporttray.ui")

# Tray hosts ask for 16-24 px, HiDPI panels and the window for more; QIcon picks the closest.
ICON_SIZES = (16, 20, 22, 24, 32, 40, 48, 64)
UNREAD_BADGE = "unread-badge.svg"


class IconKey(enum.Enum):
    """Which picture the tray shows; also names the SVG file (`available.svg`, ...)."""

    AVAILABLE = "available"
    AWAY = "away"
    BUSY = "busy"
    OFFLINE = "offline"
    CONNECTING = "connecting"

    @classmethod
    def for_availability(cls, availability: Availability) -> IconKey:
        return _BY_AVAILABILITY[availability]

    @classmethod
    def for_tray(cls, summary: SupportSummary, status: ConnectionStatus) -> IconKey:
        """The tray's picture: our own connection first, then the best staff availability."""
        if status.state is ConnectionState.CONNECTING:
            return cls.CONNECTING
        if status.state is not ConnectionState.ONLINE:
            # Offline we know nothing current about anyone: never show a stale green.
            return cls.OFFLINE
        return cls.for_availability(summary.availability)


_BY_AVAILABILITY = {
    Availability.AVAILABLE: IconKey.AVAILABLE,
    Availability.AWAY: IconKey.AWAY,
    Availability.BUSY: IconKey.BUSY,
    Availability.OFFLINE: IconKey.OFFLINE,
}


def default_icon_dir() -> Traversable:
    return files("supporttray.resources") / "icons"


class IconSet:
    """Renders each state icon once (at every tray size) and hands out the cached QIcons.

    Rendering through QSvgRenderer into pixmaps, rather than `QIcon("x.svg")`, needs neither
    the svg icon-engine plugin nor a real file path (the icons may live in a zip).
    """

    def __init__(self, icon_dir: Traversable | None = None) -> None:
        self._dir = icon_dir if icon_dir is not None else default_icon_dir()
        self._renderers: dict[str, QSvgRenderer] = {}
        self._icons: dict[tuple[IconKey, bool], QIcon] = {}

    def icon(self, key: IconKey, *, unread: bool = False) -> QIcon:
        cached = self._icons.get((key, unread))
        if cached is None:
            cached = QIcon()
            for size in ICON_SIZES:
                cached.addPixmap(self.pixmap(key, size, unread=unread))
            self._icons[(key, unread)] = cached
        return cached

    def pixmap(self, key: IconKey, size: int, *, unread: bool = False) -> QPixmap:
        """One square rendering; the badge SVG shares the viewBox, so it is drawn on top."""
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            target = QRectF(0, 0, size, size)
            self._renderer(f"{key.value}.svg").render(painter, target)
            if unread:
                self._renderer(UNREAD_BADGE).render(painter, target)
        finally:
            painter.end()
        return QPixmap.fromImage(image)

    def _renderer(self, name: str) -> QSvgRenderer:
        renderer = self._renderers.get(name)
        if renderer is None:
            data = (self._dir / name).read_bytes()
            renderer = QSvgRenderer(QByteArray(data))
            if not renderer.isValid():
                # A broken install: an empty tray icon would make the app invisible, so fail loudly.
                raise RuntimeError(f"The icon {name} in {self._dir} could not be read as SVG.")
            self._renderers[name] = renderer
        return renderer
