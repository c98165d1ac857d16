"""One file up and down as the app moves it (app.transfers over the real sandbox), timed, with
this process's peak memory sampled meanwhile; then one more slot for curl to use.

argv: HOST PORT CA_FILE JID PASSWORD PEER FILE DOWNLOAD_DIR. Prints one JSON line.
"""

import asyncio
import json
import sys
import threading
import time


class PeakRss:
    def __init__(self):
        import psutil

        self._process = psutil.Process()
        self.before = self.peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, self._process.memory_info().rss)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.peak - self.before


async def main() -> int:
    host, port, ca_file, jid, password, peer, file, downloads = sys.argv[1:9]
    from pathlib import Path

    import slixmpp

    from supporttray.app.transfers import FileTransfers, media_type_of
    from supporttray.core.file_offer import FilePolicy
    from supporttray.xmpp import tls
    from supporttray.xmpp.discovery import ServiceDirectory
    from supporttray.xmpp.file_share import FileShareWire

    client = slixmpp.ClientXMPP(jid, password)
    client.enable_direct_tls = False
    client.enable_plaintext = False
    client.ca_certs = ca_file
    started = asyncio.get_running_loop().create_future()
    client.add_event_handler("session_start", lambda _e: started.set_result(None))
    services = ServiceDirectory()
    services.install(client)
    wire = FileShareWire()
    wire.install(client, services)
    client.connect(host, int(port))
    await asyncio.wait_for(started, 20)
    context = tls.client_context(ca_file)
    transfers = FileTransfers(wire, tls=lambda: context, policy=FilePolicy,
                              downloads=lambda: Path(downloads))
    path = Path(file)
    memory = PeakRss()
    began = time.perf_counter()
    sent = await transfers.send(peer, path)
    upload = time.perf_counter() - began
    upload_growth = memory.stop()
    memory = PeakRss()
    began = time.perf_counter()
    saved = await transfers.fetch(sent.offer)
    download = time.perf_counter() - began
    download_growth = memory.stop()
    # A second slot for curl, so it puts the same file the same way.
    service = await wire.upload_service()
    slot = await wire.slot(service, name="curl-" + path.name, size=path.stat().st_size,
                           media_type=media_type_of(path))
    await client.disconnect(wait=1.0)
    print(json.dumps({
        "upload_seconds": upload, "download_seconds": download,
        "upload_memory_growth": upload_growth, "download_memory_growth": download_growth,
        "verified": saved.stat().st_size == path.stat().st_size,
        "curl_put": slot.put_url, "curl_get": slot.get_url,
        "curl_headers": [f"{name}: {value}" for name, value in slot.headers],
        "media_type": media_type_of(path),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
