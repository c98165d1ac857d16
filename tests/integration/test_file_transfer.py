"""Files through the sandbox's real HTTP upload (Prosody http_file_share, ejabberd
mod_http_upload): a 200 MB build arrives byte-identical at a plain slixmpp peer that fetches the
out-of-band link, the sender's memory stays flat, the server's limit and a hash mismatch are
sentences."""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import ssl
import threading
import urllib.request
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import psutil
import pytest
import slixmpp

from supporttray.app.transfers import FileTransfers, HashMismatch, TransferError
from supporttray.core.file_offer import MB, FileOffer, FilePolicy, too_large
from supporttray.sandbox.server import SandboxServer
from supporttray.xmpp import tls
from supporttray.xmpp.discovery import ServiceDirectory
from supporttray.xmpp.file_share import FileShareWire, offer_in

from .test_sandbox import connect, disconnect

BUILD_BYTES = 200 * MB


def generated_file(path: Path, size: int) -> str:
    """Write `size` random bytes to `path` (1 MB at a time); their SHA-256 (hex)."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        left = size
        while left:
            block = os.urandom(min(MB, left))
            digest.update(block)
            out.write(block)
            left -= len(block)
    return digest.hexdigest()


@asynccontextmanager
async def sender_and_peer(
    sandbox: SandboxServer, downloads: Path
) -> AsyncIterator[tuple[FileTransfers, slixmpp.ClientXMPP, asyncio.Queue[slixmpp.Message]]]:
    """Our transfers on one client; a plain slixmpp peer that queues every message it gets."""
    sender_account = sandbox.add_account(f"files-{secrets.token_hex(3)}", "pw")
    peer_account = sandbox.add_account(f"peer-{secrets.token_hex(3)}", "pw")
    sender = await connect(sender_account, sandbox.host, sandbox.c2s_port, trust=sandbox.ca_file)
    peer = await connect(peer_account, sandbox.host, sandbox.c2s_port, trust=sandbox.ca_file,
                         plugins=["xep_0066"])
    inbox: asyncio.Queue[slixmpp.Message] = asyncio.Queue()
    peer.add_event_handler("message", inbox.put_nowait)
    peer.send_presence()  # available, so messages to it are delivered now, not kept offline
    services = ServiceDirectory()
    services.install(sender)
    wire = FileShareWire()
    wire.install(sender, services)
    context = tls.client_context(sandbox.ca_file)
    transfers = FileTransfers(wire, tls=lambda: context, policy=FilePolicy,
                              downloads=lambda: downloads)
    try:
        yield transfers, peer, inbox
    finally:
        await disconnect(sender)
        await disconnect(peer)


def fetch_like_any_client(url: str, ca_file: Path, target: Path) -> str:
    """What a plain client does with the link: GET it (trusting the sandbox CA), save it."""
    digest = hashlib.sha256()
    context = ssl.create_default_context(cafile=str(ca_file))
    with urllib.request.urlopen(url, timeout=30, context=context) as answer, \
            target.open("wb") as out:
        while block := answer.read(MB):
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


class PeakMemory:
    """This process's resident memory, sampled every 20 ms on a thread while in the block."""

    def __init__(self) -> None:
        self._process = psutil.Process()
        self._stop = threading.Event()
        self.before = self.peak = self._process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.before


@pytest.mark.asyncio
async def test_a_200_mb_build_arrives_byte_identical_at_a_plain_client(
    each_sandbox: SandboxServer, tmp_path: Path
) -> None:
    # given a 200 MB build on disk
    build = tmp_path / "setup-2.4.1.bin"
    expected = generated_file(build, BUILD_BYTES)
    progress = []
    async with sender_and_peer(each_sandbox, tmp_path / "downloads") as (transfers, peer, inbox):
        # when it is sent with a line of text
        with PeakMemory() as memory:
            sent = await transfers.send(peer.boundjid.full, build, "The fixed build",
                                        progress=progress.append)
        message = await asyncio.wait_for(inbox.get(), 10)
        # then the peer sees a link in the body and as out-of-band data, and the metadata
        url = message["oob"]["url"]
        assert url == sent.offer.url and url.startswith("https://")
        assert message["body"] == f"The fixed build\n{url}"
        assert offer_in(message) == FileOffer(url, "setup-2.4.1.bin", BUILD_BYTES,
                                              "application/octet-stream", expected)
        # and what it downloads is the same file
        received = tmp_path / "received.bin"
        loop = asyncio.get_running_loop()
        got = await loop.run_in_executor(None, fetch_like_any_client, url, each_sandbox.ca_file,
                                         received)
    assert got == expected == sent.offer.sha256
    assert received.stat().st_size == BUILD_BYTES
    # and the upload reported progress with speed and time left, ending at the whole file
    assert len(progress) > 2
    assert progress[-1].done == BUILD_BYTES and progress[-1].bytes_per_second > 0
    assert progress[len(progress) // 2].seconds_left is not None
    # and the file never sat in the sender's memory
    assert memory.growth < 50 * MB, f"grew by {memory.growth / MB:.1f} MB"


@pytest.mark.asyncio
async def test_a_file_over_the_servers_limit_is_refused_with_the_limit(
    each_sandbox: SandboxServer, tmp_path: Path
) -> None:
    # given a file one byte over the server's limit (sparse: nothing is written)
    huge = tmp_path / "disk.img"
    with huge.open("wb") as out:
        out.truncate(each_sandbox.upload_limit_bytes + 1)
    async with sender_and_peer(each_sandbox, tmp_path / "downloads") as (transfers, peer, inbox):
        # when it is sent
        with pytest.raises(TransferError) as refused:
            await transfers.send(peer.boundjid.full, huge)
        # then nothing reached the peer
        assert inbox.empty()
    # and the sentence names the server's limit
    assert refused.value.sentence == too_large(each_sandbox.upload_limit_bytes)
    assert str(refused.value) == "The server accepts files up to 2 GB."


@pytest.mark.asyncio
async def test_a_received_file_is_saved_verified_without_overwriting(
    each_sandbox: SandboxServer, tmp_path: Path
) -> None:
    # given a report already in Downloads, and the same name sent again
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    (downloads / "report.txt").write_text("older")
    source = tmp_path / "report.txt"
    source.write_bytes(b"the log lines\n" * 1000)
    async with sender_and_peer(each_sandbox, downloads) as (transfers, peer, inbox):
        sent = await transfers.send(peer.boundjid.full, source)
        offer = offer_in(await asyncio.wait_for(inbox.get(), 10))
        assert offer is not None
        # when our side fetches it
        saved = await transfers.fetch(offer)
    # then it is saved beside the older one, verified, and the older one is untouched
    assert saved == downloads / "report (1).txt"
    assert saved.read_bytes() == source.read_bytes()
    assert hashlib.sha256(saved.read_bytes()).hexdigest() == sent.offer.sha256
    assert (downloads / "report.txt").read_text() == "older"


@pytest.mark.asyncio
async def test_a_file_whose_hash_differs_is_kept_aside_and_said(
    each_sandbox: SandboxServer, tmp_path: Path
) -> None:
    # given an offer whose announced SHA-256 is not that of the file behind the link
    downloads = tmp_path / "downloads"
    source = tmp_path / "fix.ps1"
    source.write_bytes(b"Write-Host fixed\n")
    async with sender_and_peer(each_sandbox, downloads) as (transfers, peer, _inbox):
        sent = await transfers.send(peer.boundjid.full, source)
        forged = FileOffer(sent.offer.url, "fix.ps1", sent.offer.size, sent.offer.media_type,
                           hashlib.sha256(b"something else").hexdigest())
        # when it is fetched
        with pytest.raises(HashMismatch) as mismatch:
            await transfers.fetch(forged)
    # then it is kept aside under a name that cannot be opened as the script, and said so
    assert mismatch.value.kept_at == downloads / "fix.ps1.unverified"
    assert not (downloads / "fix.ps1").exists()
    assert "SHA-256 differs" in str(mismatch.value)
    assert list(downloads.iterdir()) == [downloads / "fix.ps1.unverified"]


@pytest.mark.asyncio
async def test_our_client_hears_the_offer_with_its_metadata(
    each_sandbox: SandboxServer, tmp_path: Path
) -> None:
    # given the receiving side running our file wire, as the app does
    source = tmp_path / "screen.png"
    source.write_bytes(b"\x89PNG not really")
    async with sender_and_peer(each_sandbox, tmp_path / "downloads") as (transfers, peer, inbox):
        heard: list[tuple[str, str, FileOffer]] = []
        receiving = FileShareWire()
        peer_services = ServiceDirectory()
        peer_services.install(peer)
        receiving.install(peer, peer_services)
        receiving.subscribe(lambda who, message_id, offer: heard.append((who, message_id,
                                                                          offer)))
        # when a screenshot is sent to it
        sent = await transfers.send(peer.boundjid.full, source, "see")
        await asyncio.wait_for(inbox.get(), 10)
    # then it heard who offered what, with the id of the message that carries it
    ((who, message_id, offer),) = heard
    assert who.startswith("files-") and "/" not in who
    assert message_id == sent.message_id
    assert offer == FileOffer(sent.offer.url, "screen.png", source.stat().st_size, "image/png",
                              sent.offer.sha256)
