"""Consent for a screenshot: the person sees exactly what will be sent, hides what is private
(drag a black box over it) and may crop to a part, before anything leaves the computer.

The boxes are painted into the pixels of the PNG that is sent, not laid over it: what is hidden
here is black in the file.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from supporttray.language.catalogue import _

# Shorter drags are clicks, not boxes.
_MIN_DRAG_PIXELS = 3


class Tool(enum.Enum):
    HIDE = "hide"
    CROP = "crop"


class RedactionCanvas(QWidget):
    """The screenshot scaled to fit, with its black boxes and crop; drag to add one."""

    def __init__(self, image: QImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screenshotCanvas")
        self._image = image
        self.boxes: list[QRect] = []  # in image pixels
        self.crop: QRect | None = None
        self.tool = Tool.HIDE
        self._drag_from: QPoint | None = None
        self._drag_to: QPoint | None = None
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)

    # -- where the image sits in the widget ---------------------------------------------------
    def _scale(self) -> float:
        if self._image.isNull():
            return 1.0
        return min(self.width() / self._image.width(), self.height() / self._image.height(),
                   1.0)

    def _origin(self) -> QPointF:
        scale = self._scale()
        return QPointF((self.width() - self._image.width() * scale) / 2,
                       (self.height() - self._image.height() * scale) / 2)

    def to_widget(self, point: QPoint) -> QPoint:
        """Where image pixel `point` is drawn (tests drag with it)."""
        origin, scale = self._origin(), self._scale()
        return QPoint(round(origin.x() + point.x() * scale), round(origin.y() + point.y() * scale))

    def to_image(self, point: QPoint) -> QPoint:
        origin, scale = self._origin(), self._scale()
        x = round((point.x() - origin.x()) / scale)
        y = round((point.y() - origin.y()) / scale)
        return QPoint(max(0, min(x, self._image.width())), max(0, min(y, self._image.height())))

    # -- editing -----------------------------------------------------------------------------
    def undo(self) -> None:
        """Take back the last box, else the crop."""
        if self.boxes:
            self.boxes.pop()
        else:
            self.crop = None
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._drag_from = self._drag_to = self.to_image(event.position().toPoint())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is not None:
            self._drag_to = self.to_image(event.position().toPoint())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is None or event.button() != Qt.MouseButton.LeftButton:
            return
        rect = QRect(self._drag_from, self.to_image(event.position().toPoint())).normalized()
        self._drag_from = self._drag_to = None
        if rect.width() >= _MIN_DRAG_PIXELS and rect.height() >= _MIN_DRAG_PIXELS:
            if self.tool is Tool.HIDE:
                self.boxes.append(rect)
            else:
                self.crop = rect
        self.update()

    # -- the result --------------------------------------------------------------------------
    def rendered(self) -> QImage:
        """The image as it will be sent: boxes painted black into it, then cropped."""
        result = self._image.convertToFormat(QImage.Format.Format_RGB32)
        painter = QPainter(result)
        for box in self.boxes:
            painter.fillRect(box, QColor(0, 0, 0))
        painter.end()
        if self.crop is not None:
            result = result.copy(self.crop)
        return result

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        origin, scale = self._origin(), self._scale()
        target = QRectF(origin.x(), origin.y(), self._image.width() * scale,
                        self._image.height() * scale)
        painter.drawImage(target, self._image)
        painter.translate(origin)
        painter.scale(scale, scale)
        for box in self.boxes:
            painter.fillRect(box, QColor(0, 0, 0))
        if self.crop is not None:
            # Dim what the crop leaves out, so the part that goes is plain to see.
            outside = QColor(0, 0, 0, 110)
            whole = QRect(0, 0, self._image.width(), self._image.height())
            crop = self.crop
            for part in (QRect(0, 0, whole.width(), crop.top()),
                         QRect(0, crop.bottom() + 1, whole.width(),
                               whole.height() - crop.bottom() - 1),
                         QRect(0, crop.top(), crop.left(), crop.height()),
                         QRect(crop.right() + 1, crop.top(), whole.width() - crop.right() - 1,
                               crop.height())):
                painter.fillRect(part, outside)
        if self._drag_from is not None and self._drag_to is not None:
            pen = QPen(QColor(220, 40, 40))
            pen.setWidthF(2 / scale)
            painter.setPen(pen)
            painter.drawRect(QRect(self._drag_from, self._drag_to).normalized())
        painter.end()


class ScreenshotDialog(QDialog):
    """"Send this screenshot?": hide parts, crop, then Attach or Cancel."""

    def __init__(self, image: QImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("screenshotDialog")
        self.setWindowTitle(_("Send this screenshot?"))
        self.canvas = RedactionCanvas(image, self)
        explanation = QLabel(_("Only what you see here is sent. Drag over anything private to "
                               "black it out; choose Crop to send only a part."), self)
        explanation.setWordWrap(True)
        self.hide_button = QPushButton(_("&Hide area"), self)
        self.crop_button = QPushButton(_("&Crop"), self)
        for button in (self.hide_button, self.crop_button):
            button.setCheckable(True)
        self.hide_button.setChecked(True)
        tools = QButtonGroup(self)
        tools.setExclusive(True)
        tools.addButton(self.hide_button)
        tools.addButton(self.crop_button)
        self.hide_button.toggled.connect(lambda on: self._use(Tool.HIDE if on else Tool.CROP))
        self.undo_button = QPushButton(_("&Undo"), self)
        self.undo_button.clicked.connect(self.canvas.undo)
        self.attach_button = QPushButton(_("&Attach"), self)
        self.attach_button.setObjectName("screenshotAttach")
        self.attach_button.setDefault(True)
        self.attach_button.clicked.connect(self.accept)
        cancel = QPushButton(_("Cancel"), self)
        cancel.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.hide_button)
        row.addWidget(self.crop_button)
        row.addWidget(self.undo_button)
        row.addStretch(1)
        row.addWidget(cancel)
        row.addWidget(self.attach_button)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(row)
        self.resize(760, 560)

    def _use(self, tool: Tool) -> None:
        self.canvas.tool = tool

    def png(self) -> bytes:
        """The PNG to send: what the canvas shows, black boxes and crop applied."""
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        # PySide 6.11 accepts the format only as str, though its stubs say bytes.
        self.canvas.rendered().save(buffer, "PNG")  # type: ignore[call-overload]
        buffer.close()
        return bytes(data.data())
