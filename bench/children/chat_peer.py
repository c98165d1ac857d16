"""A plain slixmpp client for the latency figure: the peer, and the bare baseline sender.

One JSON line on stdin gives the account; then commands, one a line: `send JID SEQ` sends the
chat message "bench SEQ". Prints `online`, `sent JID SEQ T` and, for every "bench SEQ" that
arrives, `got FROM SEQ T`, where T is time.perf_counter() (CLOCK_MONOTONIC: comparable across
processes on Linux).
"""

import asyncio
import hashlib
import json
import sys
import threading
import time

import slixmpp
from slixmpp.util.sasl import mechanisms


def fast_hi(self, text, salt, iterations):  # the C PBKDF2 the app installs too
    return hashlib.pbkdf2_hmac(self.hash().name, bytes(text), bytes(salt), iterations,
                               dklen=self.hash().digest_size)


def main() -> int:
    mechanisms.SCRAM.Hi = fast_hi
    account = json.loads(sys.stdin.readline())
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    client = slixmpp.ClientXMPP(account["jid"], account["password"])
    client.enable_direct_tls = False
    client.enable_plaintext = False
    client.ca_certs = account["ca_file"]
    client.whitespace_keepalive = False
    client.register_plugin("xep_0184")  # acknowledges the app's receipt requests, as clients do
    done = asyncio.Event()

    async def session_start(_event):
        client.send_presence()
        await client.get_roster()
        print("online", flush=True)

    def message(stanza):
        now = time.perf_counter()
        body = stanza["body"]
        if body.startswith("bench "):
            print(f"got {stanza['from'].bare} {body.split()[1]} {now:.7f}", flush=True)

    def command(line):
        parts = line.split()
        if parts and parts[0] == "send":
            to, seq = parts[1], parts[2]
            now = time.perf_counter()
            client.send_message(mto=to, mbody=f"bench {seq}", mtype="chat")
            print(f"sent {to} {seq} {now:.7f}", flush=True)

    def read_commands():
        for line in sys.stdin:
            loop.call_soon_threadsafe(command, line)
        loop.call_soon_threadsafe(done.set)

    client.add_event_handler("session_start", session_start)
    client.add_event_handler("message", message)
    client.connect(account["host"], account["port"])
    threading.Thread(target=read_commands, daemon=True).start()
    loop.run_until_complete(done.wait())
    client.disconnect()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
