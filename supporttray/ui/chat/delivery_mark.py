"""The delivery mark under an outgoing message: queued, sent or delivered, and its tooltip."""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen, QPixmap

from supporttray.core.messages import Delivery
from supporttray.language.catalogue import N_

DELIVERY_TIPS: Final = {
    Delivery.QUEUED: N_("Waiting to be sent — it goes out as soon as you are back online"),
    Delivery.SENT: N_("Sent to the server"),
    Delivery.DELIVERED: N_("Delivered to {name}"),
}


def delivery_pixmap(delivery: Delivery, color: QColor, *, ratio: float = 1.0) -> QPixmap:
    """A small drawn mark: a clock (queued), a tick (sent) or two ticks (delivered).

    Drawn rather than taken from a font: not every desktop has a font with ⏳ or ✓✓.
    """
    width, height = 18, 12
    pixmap = QPixmap(int(width * ratio), int(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(color, 1.4)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        if delivery is Delivery.QUEUED:
            painter.drawEllipse(QRectF(4.5, 0.8, 10.4, 10.4))
            painter.drawLine(QPointF(9.7, 3.2), QPointF(9.7, 6.0))
            painter.drawLine(QPointF(9.7, 6.0), QPointF(11.9, 7.4))
        else:
            ticks = (0.0,) if delivery is Delivery.SENT else (-2.6, 2.6)
            for dx in ticks:
                path = QPainterPath()
                path.moveTo(4.2 + dx, 6.2)
                path.lineTo(7.2 + dx, 9.2)
                path.lineTo(13.6 + dx, 2.6)
                painter.drawPath(path)
    finally:
        painter.end()
    return pixmap
