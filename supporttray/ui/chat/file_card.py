"""A received file in a chat: name, size and type before anything is downloaded; then the
download with progress, a thumbnail for a picture, and the outcome as a sentence.

A file whose SHA-256 differs is shown as such and offers no Open: it was kept aside, and
opening it is the person's own deliberate act in the folder. A link the app does not fetch
(plain http, another host, a kind policy forbids) stays a link.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyle,
    QWidget,
)

from supporttray.core.file_offer import FileOffer, TransferProgress, cancelled, size_text
from supporttray.language.catalogue import _
from supporttray.ui.text_colors import error_color, secondary_color

log = logging.getLogger("supporttray.ui")

Spawn = Callable[[Coroutine[Any, Any, Any]], object]
THUMBNAIL = QSize(96, 72)
# A picture larger than this is not decoded for a thumbnail on the UI thread.
_THUMBNAIL_MAX_BYTES = 25 * 1024 * 1024


class FileFetcher(Protocol):
    """What the card needs from app.transfers.FileTransfers."""

    def may_fetch(self, offer: FileOffer) -> bool: ...

    async def fetch(self, offer: FileOffer, *, directory: Path | None = None,
                    progress: Callable[[TransferProgress], None] | None = None) -> Path: ...


def open_with_desktop(path: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class FileCard(QFrame):
    """One offered file; `download()` starts (or retries) its download."""

    def __init__(self, offer: FileOffer, fetcher: FileFetcher, *, spawn: Spawn,
                 open_path: Callable[[Path], object] = open_with_desktop,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fileCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.offer = offer
        self._fetcher = fetcher
        self._spawn = spawn
        self._open_path = open_path
        self._task: asyncio.Task[Path] | None = None
        self.saved: Path | None = None

        self.thumbnail = QLabel(self)
        self.thumbnail.setFixedSize(THUMBNAIL)
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        self.thumbnail.setPixmap(icon.pixmap(32, 32))
        self.name = QLabel(offer.name, self)
        bold = QFont(self.name.font())
        bold.setBold(True)
        self.name.setFont(bold)
        self.name.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        size = size_text(offer.size) if offer.size is not None else _("size unknown")
        self.details = QLabel(f"{size} · {offer.media_type}", self)
        self.details.setStyleSheet(f"color: {secondary_color(self.details)};")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.progress.setFixedHeight(6)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.download_button = QPushButton(_("&Download"), self)
        self.download_button.clicked.connect(self.download)
        self.cancel_button = QPushButton(_("Cancel"), self)
        self.cancel_button.clicked.connect(self.cancel)
        self.open_button = QPushButton(_("&Open"), self)
        self.open_button.clicked.connect(self._open)
        self.folder_button = QPushButton(_("Show in &folder"), self)
        self.folder_button.clicked.connect(self._show_folder)
        self.link = QLabel(self)
        self.link.setOpenExternalLinks(True)
        self.link.setTextFormat(Qt.TextFormat.RichText)

        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.addWidget(self.thumbnail, 0, 0, 4, 1)
        grid.addWidget(self.name, 0, 1, 1, 4)
        grid.addWidget(self.details, 1, 1, 1, 4)
        grid.addWidget(self.progress, 2, 1, 1, 4)
        grid.addWidget(self.status, 3, 1, 1, 4)
        grid.addWidget(self.link, 4, 1, 1, 4)
        buttons = QHBoxLayout()
        for button in (self.download_button, self.cancel_button, self.open_button,
                       self.folder_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        grid.addLayout(buttons, 5, 1, 1, 4)
        grid.setColumnStretch(4, 1)
        self._fetchable = fetcher.may_fetch(offer)
        self._render(waiting=True)

    # -- what the strip and the buttons call ---------------------------------------------------
    def download(self) -> None:
        if not self._fetchable or self.downloading:
            return
        self.status.setStyleSheet("")
        self.status.setText(_("Downloading…"))
        self._render(downloading=True)
        self._spawn(self._download())

    @property
    def downloading(self) -> bool:
        return self._task is not None and not self._task.done()

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _download(self) -> None:
        from supporttray.app.transfers import HashMismatch, TransferError

        self._task = asyncio.ensure_future(self._fetcher.fetch(self.offer,
                                                               progress=self._progressed))
        try:
            self.saved = await self._task
        except asyncio.CancelledError:
            self._failed(cancelled().translated())
        except HashMismatch as exc:
            log.warning("a received file was kept aside: its hash differs")
            self.saved = None
            self._failed(exc.sentence.translated())
            self.folder_path = exc.kept_at
            self.folder_button.setVisible(True)
        except TransferError as exc:
            self._failed(exc.sentence.translated())
        else:
            self.status.setText(_("Saved as {path}").format(path=self.saved))
            self._render(done=True)
            self._show_thumbnail(self.saved)
        finally:
            self._task = None

    def _progressed(self, progress: TransferProgress) -> None:
        self.progress.setValue(round(progress.fraction * 1000))
        self.status.setText(progress.sentence().translated())

    def _failed(self, sentence: str) -> None:
        self.status.setText(sentence)
        self.status.setStyleSheet(f"color: {error_color(self.status)};")
        self._render(failed=True)

    # -- showing it ------------------------------------------------------------------------
    folder_path: Path | None = None

    def _render(self, *, waiting: bool = False, downloading: bool = False, done: bool = False,
                failed: bool = False) -> None:
        self.progress.setVisible(downloading)
        self.cancel_button.setVisible(downloading)
        self.download_button.setVisible(self._fetchable and (waiting or failed))
        self.download_button.setText(_("&Retry") if failed else _("&Download"))
        self.open_button.setVisible(done)
        self.folder_button.setVisible(done)
        if done and self.saved is not None:
            self.folder_path = self.saved
        if not self._fetchable:
            # Not fetched by the app: plain http, another host, or a kind policy forbids.
            self.status.setText(_("Not downloaded by SupportTray: a link to {host}.").format(
                host=self.offer.host or "?"))
            self.link.setText(f'<a href="{_attribute(self.offer.url)}">'
                              f'{_html(self.offer.url)}</a>')
        self.link.setVisible(not self._fetchable)

    def _show_thumbnail(self, path: Path) -> None:
        if not self.offer.is_image or path.stat().st_size > _THUMBNAIL_MAX_BYTES:
            return
        reader = QImageReader(str(path))
        size = reader.size()
        if size.isValid():
            reader.setScaledSize(size.scaled(THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio))
        image = reader.read()
        if not image.isNull():
            self.thumbnail.setPixmap(QPixmap.fromImage(image))

    def thumbnail_shown(self) -> bool:
        pixmap = self.thumbnail.pixmap()
        return not pixmap.isNull() and pixmap.width() > 32

    def _open(self) -> None:
        if self.saved is not None:
            self._open_path(self.saved)

    def _show_folder(self) -> None:
        if self.folder_path is not None:
            self._open_path(self.folder_path.parent)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    return _html(text).replace('"', "&quot;")
