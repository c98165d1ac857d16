"""The composition root's part for files: transfers with the app's TLS trust, policy, Downloads
folder and chat history, and the received offers the chat windows show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from supporttray.app.received_files import ReceivedFiles
from supporttray.app.transfers import FileTransfers, file_policy
from supporttray.xmpp import tls

if TYPE_CHECKING:
    from supporttray.app.chat import ChatService
    from supporttray.config.paths import Paths
    from supporttray.config.settings import Settings
    from supporttray.xmpp.file_share import FileShareWire


def build_files(settings: Settings, paths: Paths, wire: FileShareWire,
                chat: ChatService) -> tuple[FileTransfers, ReceivedFiles]:
    ca_file = settings.get_str("server.ca_file") or None
    files = FileTransfers(
        wire, tls=lambda: tls.client_context(ca_file), policy=lambda: file_policy(settings),
        downloads=lambda: paths.downloads, record=chat.receive,
        # What counts as our own server for fetching without asking (plus the upload host).
        own_hosts=lambda: (settings.get_str("server.domain"), settings.get_str("server.host")))
    return files, ReceivedFiles(files, wire.subscribe)
