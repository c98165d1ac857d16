"""The state icons (tray, menu, window), rendered from the packaged SVGs."""

from __future__ import annotations

import enum
import logging
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QImageReader, QPainter, QPen, QPixmap
from PySide6.QtSvg import QSvgRenderer

from supporttray.core.connection import ConnectionState, ConnectionStatus
from supporttray.core.presence import Availability, SupportSummary

log = logging.getLogger("supporttray.ui")

# Tray hosts ask for 16-24 px, HiDPI panels and the window for more, task switchers and docks
# 96-128 px; QIcon picks the closest, so without the big ones they show a blurry enlargement.
ICON_SIZES = (16, 20, 22, 24, 32, 40, 48, 64, 96, 128)
UNREAD_BADGE = "unread-badge.svg"
# The application's own icon (QApplication.setWindowIcon, the desktop files' `Icon=supporttray`).
APP_ICON = "supporttray.svg"
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


# The state colours of the built-in SVGs, for the dot drawn on a brand icon.
STATE_COLOURS = {
    IconKey.AVAILABLE: "#2e9d4f",
    IconKey.AWAY: "#f0a81c",
    IconKey.BUSY: "#d93b3b",
    IconKey.OFFLINE: "#8a8f98",
    IconKey.CONNECTING: "#8a8f98",
}
# An SVG brand icon is rendered once at this size and scaled down for each tray size.
BRAND_RENDER_PX = 256


def default_icon_dir() -> Traversable:
    return files("supporttray.resources") / "icons"


def load_brand_icon(path: str) -> tuple[QImage | None, str | None]:
    """The picture `branding.icon` names, or None and a sentence saying why it cannot be used
    (for the log and doctor; the built-in icon is then used)."""
    where = Path(path).expanduser()
    fallback = "the built-in icon is used instead."
    try:
        data = where.read_bytes()
    except FileNotFoundError:
        return None, f"branding.icon: {where} does not exist; {fallback}"
    except OSError as exc:
        return None, f"branding.icon: {where} cannot be read ({exc.strerror or exc}); {fallback}"
    if where.suffix.lower() in (".svg", ".svgz") or data.lstrip()[:1] == b"<":
        renderer = QSvgRenderer(QByteArray(data))
        if renderer.isValid():
            image = QImage(BRAND_RENDER_PX, BRAND_RENDER_PX,
                           QImage.Format.Format_ARGB32_Premultiplied)
            image.fill(Qt.GlobalColor.transparent)
            painter = QPainter(image)
            try:
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                renderer.render(painter, QRectF(0, 0, BRAND_RENDER_PX, BRAND_RENDER_PX))
            finally:
                painter.end()
            return image, None
    image = QImage.fromData(data)
    if image.isNull():
        kinds = ", ".join(sorted({bytes(f.data()).decode().upper()
                                  for f in QImageReader.supportedImageFormats()} & {
                                     "PNG", "ICO", "JPG", "BMP"}))
        return None, (f"branding.icon: {where} is not a picture this app can read (use an SVG "
                      f"or one of {kinds}); {fallback}")
    return image, None


class IconSet:
    """Renders each state icon once (at every tray size) and hands out the cached QIcons.

    Rendering through QSvgRenderer into pixmaps, rather than `QIcon("x.svg")`, needs neither
    the svg icon-engine plugin nor a real file path (the icons may live in a zip).
    """

    def __init__(self, icon_dir: Traversable | None = None, *,
                 brand: QImage | None = None) -> None:
        self._dir = icon_dir if icon_dir is not None else default_icon_dir()
        # IT's own picture (`branding.icon`): drawn instead of the state SVGs, with the state
        # as a dot in the corner so that "is support there?" still reads at a glance.
        self._brand = brand
        self._renderers: dict[str, QSvgRenderer] = {}
        self._icons: dict[tuple[IconKey, bool, str], QIcon] = {}
        self._app_icon: QIcon | None = None

    def app_icon(self) -> QIcon:
        """The application icon at every size: IT's brand picture if set, else our own."""
        if self._app_icon is None:
            self._app_icon = QIcon()
            for size in ICON_SIZES:
                self._app_icon.addPixmap(self._app_pixmap(size))
        return self._app_icon

    def _app_pixmap(self, size: int) -> QPixmap:
        if self._brand is not None:
            return QPixmap.fromImage(self._brand.scaled(
                size, size, Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            self._renderer(APP_ICON).render(painter, QRectF(0, 0, size, size))
        finally:
            painter.end()
        return QPixmap.fromImage(image)

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
            if self._brand is not None:
                _draw_brand(painter, size, self._brand, QColor(STATE_COLOURS[key]))
            else:
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


def _draw_brand(painter: QPainter, size: int, brand: QImage, state: QColor) -> None:
    """The brand picture, kept in proportion, and a state dot at the bottom right."""
    picture = brand.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                           Qt.TransformationMode.SmoothTransformation)
    painter.drawImage(QRectF((size - picture.width()) / 2, (size - picture.height()) / 2,
                             picture.width(), picture.height()), picture)
    diameter = max(6.0, size * 0.44)
    painter.setPen(QPen(QColor("#ffffff"), max(1.0, size / 24)))
    painter.setBrush(state)
    painter.drawEllipse(QRectF(size - diameter, size - diameter, diameter, diameter))


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
