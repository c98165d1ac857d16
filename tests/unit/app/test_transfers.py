"""How a download ends for the person: the sentences for a full disk and an expired link."""

from __future__ import annotations

from pathlib import Path

import pytest

from supporttray.app.transfers import FileTransfers, TransferError, file_policy
from supporttray.core.file_offer import FileOffer, FilePolicy, FilesAllowed

from .test_http_transfer import tls_server


class NoWire:
    """Downloads need no XMPP."""


def transfers(tmp_path: Path, tls: object = None) -> FileTransfers:
    return FileTransfers(NoWire(), tls=lambda: tls, policy=FilePolicy,  # type: ignore[arg-type]
                         downloads=lambda: tmp_path / "Downloads",
                         own_hosts=lambda: ("127.0.0.1",))


@pytest.mark.asyncio
async def test_a_file_larger_than_the_free_space_is_not_started(tmp_path: Path) -> None:
    offer = FileOffer("https://127.0.0.1:1/x.iso", "x.iso", 10**18, "application/x-iso9660")
    with pytest.raises(TransferError) as error:
        await transfers(tmp_path).fetch(offer)
    assert str(error.value) == (f"There is not enough free space in {tmp_path / 'Downloads'} "
                                "for this file.")
    assert list((tmp_path / "Downloads").iterdir()) == []


@pytest.mark.asyncio
async def test_an_expired_link_says_so_and_leaves_nothing_behind(tmp_path: Path) -> None:
    gone = lambda _head: b"HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n"  # noqa: E731
    async with tls_server(tmp_path, gone) as (base, tls, _received):
        offer = FileOffer(f"{base}/old/report.pdf", "report.pdf", 10, "application/pdf")
        with pytest.raises(TransferError) as error:
            await transfers(tmp_path, tls).fetch(offer)
    assert str(error.value) == "This link has expired: ask the sender to send the file again."
    assert list((tmp_path / "Downloads").iterdir()) == []


POLICY: dict[str, object] = {"files.allowed": "images", "files.max_mb": 5,
                              "files.auto_download_images": False}


def test_policy_keys_are_read_as_the_rules_want_them() -> None:
    class Settings:
        def get_str(self, key: str) -> str:
            return str(POLICY[key])

        def get_int(self, key: str) -> int:
            return int(str(POLICY[key]))

        def get_bool(self, key: str) -> bool:
            return bool(POLICY[key])

    assert file_policy(Settings()) == FilePolicy(FilesAllowed.IMAGES, 5, False)
