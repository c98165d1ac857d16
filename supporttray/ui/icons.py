"""The state icons (tray, menu, window), rendered from the packaged SVGs."""

from __future__ import annotations

import enum
import logging
from importlib.resources import files
from importlib.resources.abc import Traversable

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPen, QPixmap
from PySide6.QtSvg import QSvgRenderer

from supporttray.core.connection import ConnectionState, ConnectionStatus
from supporttray.core.presence import Availability, SupportSummary

log = logging.getLogger("supporttray.ui")

# Tray hosts ask for 16-24 px, HiDPI panels and the window for more; QIcon picks the closest.
ICON_SIZES = (16, 20, 22, 24, 32, 40, 48, 64)
UNREAD_BADGE = "unread-badge.svg"
# The count badge (staff: requests nobody has taken yet) shares the unread dot's blue: red
# would read as "busy".
BADGE_BLUE = "#1a73e8"


def badge_label(count: int) -> str:
    """What the count badge says: 1..9, then 9+ (a tray icon has room for two characters)."""
    return "" if count <= 0 else str(count) if count <= 9 else "9+"


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
        self._icons: dict[tuple[IconKey, bool, str], QIcon] = {}

    def icon(self, key: IconKey, *, unread: bool = False, count: int = 0) -> QIcon:
        """The state icon; with `count`, a numbered badge (instead of the unread dot)."""
        label = badge_label(count)
        cached = self._icons.get((key, unread, label))
        if cached is None:
            cached = QIcon()
            for size in ICON_SIZES:
                cached.addPixmap(self.pixmap(key, size, unread=unread, count=count))
            self._icons[(key, unread, label)] = cached
        return cached

    def pixmap(self, key: IconKey, size: int, *, unread: bool = False,
               count: int = 0) -> QPixmap:
        """One square rendering; the badge SVG shares the viewBox, so it is drawn on top."""
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            target = QRectF(0, 0, size, size)
            self._renderer(f"{key.value}.svg").render(painter, target)
            label = badge_label(count)
            if label:
                _draw_count(painter, size, label)
            elif unread:
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


def _draw_count(painter: QPainter, size: int, label: str) -> None:
    """A blue badge with a white number, top right, over about 60% of the icon's width."""
    height = max(9.0, size * 0.56)
    width = height if len(label) == 1 else height * 1.45
    badge = QRectF(size - width, 0, width, height)
    painter.setPen(QPen(QColor("#ffffff"), max(1.0, size / 24)))
    painter.setBrush(QColor(BADGE_BLUE))
    painter.drawRoundedRect(badge, height / 2, height / 2)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(7, round(height * 0.78)))
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
