"""Baseline for the presence flood: a bare slixmpp login (asyncio) of the same staff account.

Same roster, same 1,000 requesters online: prints one JSON line with the seconds from
session_start until every roster contact's available presence has arrived, and the longest gap
of a 10 ms asyncio heartbeat over that time. stdin: {"jid", "password", "host", "port",
"ca_file", "n"}.
"""

import asyncio
import contextlib
import hashlib
import itertools
import json
import sys
import time

import slixmpp
from slixmpp.util.sasl import mechanisms


def fast_hi(self, text, salt, iterations):  # the C PBKDF2 the app installs too
    return hashlib.pbkdf2_hmac(self.hash().name, bytes(text), bytes(salt), iterations,
                               dklen=self.hash().digest_size)


async def run(account: dict) -> dict:
    mechanisms.SCRAM.Hi = fast_hi
    n = account["n"]
    client = slixmpp.ClientXMPP(account["jid"], account["password"])
    client.enable_direct_tls = False
    client.enable_plaintext = False
    client.ca_certs = account["ca_file"]
    client.whitespace_keepalive = False
    marks: dict[str, float] = {}
    cpu: dict[str, float] = {}  # process CPU seconds at the same moments
    seen: set[str] = set()
    ticks: list[float] = []
    all_in = asyncio.Event()

    async def session_start(_event):
        marks["session_start"] = time.perf_counter()
        cpu["session_start"] = time.process_time()
        await client.get_roster()
        client.send_presence()

    def presence(stanza):
        if stanza["type"] in ("available", "chat", "away", "xa", "dnd"):
            seen.add(stanza["from"].bare)
            if len(seen) >= n and "all" not in marks:
                marks["all"] = time.perf_counter()
                cpu["all"] = time.process_time()
                all_in.set()

    async def heartbeat():
        while True:
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.01)

    beat = asyncio.ensure_future(heartbeat())
    client.add_event_handler("session_start", session_start)
    client.add_event_handler("presence", presence)
    client.connect(account["host"], account["port"])
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(all_in.wait(), 60)
    end = time.perf_counter()
    beat.cancel()
    client.disconnect()
    start = marks.get("session_start", end)
    points = [*ticks, end]
    gaps = [b - a for a, b in itertools.pairwise(points) if b >= start]
    return {"seen": len(seen), "all": marks["all"] - start if "all" in marks else None,
            "max_gap": max(gaps, default=0.0),
            "cpu": cpu["all"] - cpu["session_start"] if "all" in cpu else None}


def main() -> int:
    account = json.loads(sys.stdin.readline())
    print(json.dumps(asyncio.run(run(account))), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
