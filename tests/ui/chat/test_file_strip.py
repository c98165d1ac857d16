"""Files a peer sends appear as cards in their conversation; a small picture is fetched once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from supporttray.app.received_files import ReceivedFiles
from supporttray.config.mode import Mode
from supporttray.core.file_offer import FileOffer
from supporttray.core.presence import PresenceBook
from supporttray.ui.bridge import CoreBridge
from supporttray.ui.chat.file_strip import FileStrip
from supporttray.ui.chat.outgoing_files import OutgoingFiles
from supporttray.ui.chat.window import ChatWindow
from supporttray.ui.icons import IconSet
from tests.helpers import FakeClock
from tests.ui.chat.test_file_card import PICTURE, Fetcher
from tests.ui.chat_fakes import FakeChat, Spawner, bridge_for

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")

ANN = "ann@example.org"
BUILD = FileOffer("https://upload.example.org/s/setup.msi", "setup.msi", 10**8,
                  "application/x-msi")


class Transfers(Fetcher):
    def fetches_automatically(self, offer: FileOffer) -> bool:
        return offer.is_image

    def sends_files(self) -> bool:
        return True


@pytest.fixture
def spawner() -> Iterator[Spawner]:
    spawner = Spawner()
    yield spawner
    spawner.close()


def received_files(tmp_path: Path) -> tuple[ReceivedFiles, Callable[[str, str, FileOffer], None],
                                            Transfers]:
    heard: list[Callable[[str, str, FileOffer], None]] = []
    transfers = Transfers(tmp_path)
    files = ReceivedFiles(transfers, heard.append)  # type: ignore[arg-type]
    return files, heard[0], transfers


def test_an_offer_appears_in_its_conversation_only_and_a_picture_is_fetched_once(
    qtbot: QtBot, spawner: Spawner, tmp_path: Path
) -> None:
    files, offer_arrives, transfers = received_files(tmp_path)
    bridge = CoreBridge()
    bridge.observe_files(files)
    strip = FileStrip(ANN, files, bridge=bridge, spawn=spawner)
    other = FileStrip("bob@example.org", files, bridge=bridge, spawn=spawner)
    for widget in (strip, other):
        qtbot.addWidget(widget)
    # when Ann sends a build and a screenshot
    offer_arrives(f"{ANN}/laptop", "m1", BUILD)
    offer_arrives(f"{ANN}/laptop", "m2", PICTURE)
    offer_arrives(f"{ANN}/laptop", "m2", PICTURE)  # a redelivery
    spawner.run()
    # then her conversation shows both, the build waiting for a click, the picture fetched
    assert [card.offer for card in strip.cards] == [BUILD, PICTURE]
    assert other.cards == []
    assert transfers.fetched == [PICTURE]
    # and a chat opened again shows them without fetching the picture a second time
    again = FileStrip(ANN, files, bridge=bridge, spawn=spawner)
    qtbot.addWidget(again)
    spawner.run()
    assert [card.offer for card in again.cards] == [BUILD, PICTURE]
    assert transfers.fetched == [PICTURE]
    bridge.close()


def test_a_chat_open_before_files_were_set_up_gets_its_file_rows(
    qtbot: QtBot, spawner: Spawner, tmp_path: Path, book: PresenceBook, icons: IconSet,
    clock: FakeClock,
) -> None:
    # given a chat window with Ann's chat open, built before the upload service was known
    chat = FakeChat()
    chat.receive("hello", peer=ANN)
    bridge = bridge_for(chat)
    window = ChatWindow(chat, bridge=bridge, book=book, mode=Mode.REQUESTER, spawn=spawner,
                        icons=icons, clock=clock)
    qtbot.addWidget(window)
    pane = window.open_chat(ANN)
    assert pane.findChild(OutgoingFiles) is None
    # when files are attached, and Ann sends one
    files, offer_arrives, _transfers = received_files(tmp_path)
    bridge.observe_files(files)
    window.attach_files(files)
    offer_arrives(ANN, "m1", BUILD)
    # then her chat has the attach buttons and the card
    assert pane.findChild(OutgoingFiles) is not None
    strip = pane.findChild(FileStrip)
    assert strip is not None and [card.offer for card in strip.cards] == [BUILD]
    window.dispose()
    bridge.close()
