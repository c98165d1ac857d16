"""SupportTray's chat path, in-process, for the latency and reconnection figures.

Builds what `supporttray run` builds for chat (launcher.build_chat: the history file, the
ChatService; SupportService: the XmppConnection with its ChatWire), on the same Qt + qasync loop
(launcher.run_qt), minus the windows. Same protocol as chat_peer.py: commands `send JID SEQ` on
stdin go through ChatService.send (history write, then the stanza); prints `sent JID SEQ T` and
`got FROM SEQ T` when an incoming "bench SEQ" reaches the conversation model (stored in the
history first), T being time.perf_counter().

For the reconnection figure: prints `online T KIND` each time the connection state becomes
online (KIND: `resumed` when slixmpp resumed the stream, `fresh` after a new session), and,
when `contacts` is given, `all T` each time that many contacts are available in the
PresenceBook again. Commands: `forget` makes the next resumption fail as when the server no
longer has the session (answers `forgot`); `count` answers `count N`, the stanzas received.

stdin's first line: {"profile": DIR, "policy": FILE[, "contacts": N]}; the password is in the
profile's keyring.
"""

import asyncio
import json
import sys
import threading
import time
from pathlib import Path


def main() -> int:
    config = json.loads(sys.stdin.readline())
    from supporttray.app.service import SupportService
    from supporttray.config.credentials import CredentialStore
    from supporttray.config.paths import resolve_paths
    from supporttray.config.policy import load_policy
    from supporttray.config.settings import load_settings
    from supporttray.core.connection import ConnectionState
    from supporttray.core.messages import Direction
    from supporttray.core.presence import Availability
    from supporttray.launcher import build_chat, run_qt
    from supporttray.service_settings import support_config

    paths = resolve_paths(config["profile"], {})
    paths.ensure()
    settings = load_settings(paths, load_policy(Path(config["policy"]), explicit=True))

    async def run() -> int:
        loop = asyncio.get_running_loop()
        chat = build_chat(paths, settings, lambda: service.connection_details())
        service = SupportService(support_config(settings), CredentialStore(), book=chat.book,
                                 chat=chat)
        online = asyncio.Event()
        done = asyncio.Event()
        tasks = set()
        session = {"kind": "fresh", "stanzas": 0}
        contacts = config.get("contacts", 0)
        available = set()

        def on_status(status):
            if status.state is ConnectionState.ONLINE:
                online.set()
                print(f"online {time.perf_counter():.7f} {session['kind']}", flush=True)
            elif status.state is ConnectionState.ERROR:
                print(f"error {status.describe()}", flush=True)

        def on_book(event):
            before = len(available)
            for jid in event.jids:
                member = chat.book.member(jid)
                if member is not None and member.availability is Availability.AVAILABLE:
                    available.add(jid)
                else:
                    available.discard(jid)
            if before < contacts <= len(available):
                print(f"all {time.perf_counter():.7f}", flush=True)

        def on_session(kind):
            session["kind"] = kind

        def count_stanza(stanza):
            session["stanzas"] += 1
            return stanza

        def arrived(message):
            now = time.perf_counter()
            if message.direction is Direction.IN and message.body.startswith("bench "):
                print(f"got {message.peer} {message.body.split()[1]} {now:.7f}", flush=True)

        async def send(to, seq):
            now = time.perf_counter()
            await chat.send(to, f"bench {seq}")
            print(f"sent {to} {seq} {now:.7f}", flush=True)

        def command(line):
            parts = line.split()
            client = service._connection._client  # instrumentation reaches inside
            if parts == ["forget"]:
                # An id the server never gave: it answers <failed/>, as for a session it dropped.
                client.plugin["xep_0198"].sm_id = "bench-forgotten-session"
                print("forgot", flush=True)
            elif parts == ["count"]:
                print(f"count {session['stanzas']}", flush=True)
            elif parts and parts[0] == "send":
                task = asyncio.ensure_future(send(parts[1], parts[2]))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

        def read_commands():
            for line in sys.stdin:
                loop.call_soon_threadsafe(command, line)
            loop.call_soon_threadsafe(done.set)

        service.monitor.changed.subscribe(on_status)
        chat.conversations.arrived.subscribe(arrived)
        if contacts:
            chat.book.changed.subscribe(on_book)
        await service.start()
        client = service._connection._client
        # The app's session_resumed handler says "online" before any handler added here runs,
        # while its session_start handler is a coroutine that says it later: so whatever comes
        # online after a drop is a resumption unless a session started meanwhile.
        client.add_event_handler("disconnected", lambda _e: on_session("resumed"))
        client.add_event_handler("session_start", lambda _e: on_session("fresh"))
        client.add_filter("in", count_stanza)
        await online.wait()
        threading.Thread(target=read_commands, daemon=True).start()
        await done.wait()
        await service.stop()
        return 0

    return run_qt(run)


if __name__ == "__main__":
    raise SystemExit(main())
