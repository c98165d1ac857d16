"""The receive card: what a file is before it is fetched, then a verified save or a sentence."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from supporttray.app.transfers import HashMismatch, TransferError
from supporttray.core.file_offer import FileOffer, TransferProgress, link_expired
from supporttray.ui.chat.file_card import FileCard
from tests.ui.chat_fakes import Spawner

# A top-level widget on the offscreen platform: Qt cannot size its native window.
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

UPLOAD = "https://upload.example.org/slot/"
PICTURE = FileOffer(UPLOAD + "screen.png", "screen.png", 2345, "image/png", "ab" * 32)


class Fetcher:
    """Stands in for FileTransfers: fetches into `folder`, or fails as told."""

    def __init__(self, folder: Path, *, fails: Exception | None = None,
                 allowed: bool = True) -> None:
        self.folder = folder
        self.fails = fails
        self.allowed = allowed
        self.fetched: list[FileOffer] = []

    def may_fetch(self, offer: FileOffer) -> bool:
        return self.allowed

    async def fetch(self, offer: FileOffer, *, directory: Path | None = None,
                    progress: Callable[[TransferProgress], None] | None = None) -> Path:
        self.fetched.append(offer)
        if progress is not None:
            progress(TransferProgress(1000, 2345, 0.5))
        if self.fails is not None:
            raise self.fails
        image = QImage(400, 300, QImage.Format.Format_RGB32)
        image.fill(QColor(10, 200, 10))
        path = self.folder / offer.name
        image.save(str(path))
        return path


@pytest.fixture
def spawner() -> Iterator[Spawner]:
    spawner = Spawner()
    yield spawner
    spawner.close()


def card_for(qtbot: QtBot, spawner: Spawner, fetcher: Fetcher,
             offer: FileOffer = PICTURE) -> FileCard:
    card = FileCard(offer, fetcher, spawn=spawner, open_path=lambda _p: None)
    qtbot.addWidget(card)
    card.show()
    return card


def test_name_size_and_type_are_shown_before_anything_is_downloaded(
    qtbot: QtBot, spawner: Spawner, tmp_path: Path
) -> None:
    fetcher = Fetcher(tmp_path)
    card = card_for(qtbot, spawner, fetcher)
    assert card.name.text() == "screen.png"
    assert card.details.text() == "2.3 kB · image/png"
    assert card.download_button.isVisible()
    assert fetcher.fetched == []


def test_a_download_shows_progress_then_the_saved_file_and_a_thumbnail(
    qtbot: QtBot, spawner: Spawner, tmp_path: Path
) -> None:
    card = card_for(qtbot, spawner, Fetcher(tmp_path))
    card.download_button.click()
    assert card.progress.isVisible() and card.cancel_button.isVisible()
    spawner.run()
    assert card.status.text() == f"Saved as {tmp_path / 'screen.png'}"
    assert card.open_button.isVisible() and card.folder_button.isVisible()
    assert not card.progress.isVisible()
    assert card.thumbnail_shown()


def test_a_hash_mismatch_is_said_and_offers_no_open(
    qtbot: QtBot, spawner: Spawner, tmp_path: Path
) -> None:
    kept = tmp_path / "screen.png.unverified"
    card = card_for(qtbot, spawner, Fetcher(tmp_path, fails=HashMismatch(kept)))
    card.download_button.click()
    spawner.run()
    assert "SHA-256 differs" in card.status.text() and str(kept) in card.status.text()
    assert not card.open_button.isVisible()
    assert card.saved is None


def test_an_expired_link_is_a_sentence_and_can_be_retried(
    qtbot: QtBot, spawner: Spawner, tmp_path: Path
) -> None:
    fetcher = Fetcher(tmp_path, fails=TransferError(link_expired()))
    card = card_for(qtbot, spawner, fetcher)
    card.download_button.click()
    spawner.run()
    assert card.status.text() == ("This link has expired: ask the sender to send the file "
                                  "again.")
    assert card.download_button.text() == "&Retry"
    fetcher.fails = None
    card.download_button.click()
    spawner.run()
    assert card.saved == tmp_path / "screen.png"


def test_a_link_the_app_does_not_fetch_stays_a_link(
    qtbot: QtBot, spawner: Spawner, tmp_path: Path
) -> None:
    elsewhere = FileOffer("http://files.example.com/x.zip", "x.zip", 10, "application/zip")
    fetcher = Fetcher(tmp_path, allowed=False)
    card = card_for(qtbot, spawner, fetcher, elsewhere)
    assert not card.download_button.isVisible()
    assert card.link.isVisible() and "http://files.example.com/x.zip" in card.link.text()
    assert card.status.text() == "Not downloaded by SupportTray: a link to files.example.com."
    card.download()
    assert fetcher.fetched == []
