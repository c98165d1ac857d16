"""Baseline for the reconnection figure: a bare slixmpp client that comes back after a drop.

slixmpp's own stream management (xep_0198, resumption allowed, its defaults) on asyncio; a
login is the roster and one presence. When the stream drops it connects again at once (no
back-off: the least any client can do). Same line protocol as chat_app.py: prints
`online T KIND` (KIND `fresh` once the roster is in and the presence sent, `resumed` when the
stream was resumed) and, when `contacts` is given, `all T` once that many contacts' available
presences arrived since the session started; commands `forget` (answers `forgot`), `count`
(answers `count N`, the stanzas received). T is time.perf_counter().

stdin's first line: {"jid", "password", "host", "port", "ca_file"[, "contacts": N]}.
"""

import asyncio
import hashlib
import json
import sys
import threading
import time

import slixmpp
from slixmpp.util.sasl import mechanisms

AVAILABLE = {"available", "chat", "away", "xa", "dnd"}


def fast_hi(self, text, salt, iterations):  # the C PBKDF2 the app installs too
    return hashlib.pbkdf2_hmac(self.hash().name, bytes(text), bytes(salt), iterations,
                               dklen=self.hash().digest_size)


def main() -> int:
    mechanisms.SCRAM.Hi = fast_hi
    account = json.loads(sys.stdin.readline())
    contacts = account.get("contacts", 0)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    client = slixmpp.ClientXMPP(account["jid"], account["password"])
    client.enable_direct_tls = False
    client.enable_plaintext = False
    client.ca_certs = account["ca_file"]
    client.whitespace_keepalive = False
    client.register_plugin("xep_0198")
    done = asyncio.Event()
    seen: set[str] = set()
    stanzas = [0]

    async def session_start(_event):
        seen.clear()
        await client.get_roster()
        client.send_presence()
        print(f"online {time.perf_counter():.7f} fresh", flush=True)

    def session_resumed(_event):
        now = time.perf_counter()
        print(f"online {now:.7f} resumed", flush=True)
        if contacts and len(seen) >= contacts:
            print(f"all {now:.7f}", flush=True)  # it never forgot them: nothing to wait for

    def presence(stanza):
        if stanza["type"] in AVAILABLE and contacts and len(seen) < contacts:
            seen.add(stanza["from"].bare)
            if len(seen) == contacts:
                print(f"all {time.perf_counter():.7f}", flush=True)

    def disconnected(_event):
        if not done.is_set():
            client.connect(account["host"], account["port"])

    def count_stanza(stanza):
        stanzas[0] += 1
        return stanza

    def command(line):
        parts = line.split()
        if parts == ["forget"]:
            # An id the server never gave: it answers <failed/>, as for a session it dropped.
            client.plugin["xep_0198"].sm_id = "bench-forgotten-session"
            print("forgot", flush=True)
        elif parts == ["count"]:
            print(f"count {stanzas[0]}", flush=True)

    def read_commands():
        for line in sys.stdin:
            loop.call_soon_threadsafe(command, line)
        loop.call_soon_threadsafe(done.set)

    client.add_event_handler("session_start", session_start)
    client.add_event_handler("session_resumed", session_resumed)
    client.add_event_handler("presence", presence)
    client.add_event_handler("disconnected", disconnected)
    client.add_filter("in", count_stanza)
    client.connect(account["host"], account["port"])
    threading.Thread(target=read_commands, daemon=True).start()
    loop.run_until_complete(done.wait())
    client.disconnect()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
