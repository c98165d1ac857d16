"""Hotel Wi-Fi: the app's link is cut again and again while both sides keep talking, through a
fault-injecting proxy of our own on loopback. Nothing may be lost or shown twice."""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from collections import Counter

import pytest

from supporttray.core.connection import ConnectionState
from supporttray.core.messages import Direction
from supporttray.sandbox.fault_proxy import FaultProxy

from .conftest import XmppServer
from .test_chat_wire import App, PlainPeer, build_app, online, signed_in
from .test_staff_presence import seconds_until

FROM_PEER = 60  # numbered messages a colleague sends to the app during the cuts
FROM_APP = 12  # and the app sends back (and one more right after each cut)
CUTS = ("reset", "blackhole", "silent death", "reset", "blackhole", "silent death")
BACK_ONLINE_S = 20.0  # after each cut; the issue: "back online within a few seconds"


async def cut(proxy: FaultProxy, kind: str) -> None:
    if kind == "reset":
        proxy.reset()
    elif kind == "blackhole":
        await proxy.blackhole(2.0)
    else:
        proxy.silent_death()


def bodies_in(app: App, peer: str, direction: Direction) -> Counter[str]:
    return Counter(m.body for m in app.history.conversation(peer) if m.direction is direction)


@pytest.mark.asyncio
async def test_cut_after_cut_every_message_arrives_once_each_way(xmpp_server: XmppServer) -> None:
    rng = random.Random(11)  # seeded: the same cuts at the same moments every run
    staff_account, colleague_account = xmpp_server.fresh_accounts(2)
    proxy = await FaultProxy(xmpp_server.host, xmpp_server.port).start()
    through_proxy = dataclasses.replace(xmpp_server, port=proxy.port)
    app = build_app(staff_account, through_proxy, support__mode="staff",
                    support__auto_accept_domains=[xmpp_server.domain])
    # no receipts: only the server's acks (XEP-0198) can say "sent"
    colleague = PlainPeer(colleague_account, xmpp_server, "desk", receipts=False)
    back_after: list[float] = []
    try:
        async with online(app), signed_in((colleague, "")):
            sent_by_peer = [f"peer {i:03d}" for i in range(FROM_PEER)]
            sent_by_app = [f"app {i:03d}" for i in range(FROM_APP)]

            async def peer_talks() -> None:
                for body in sent_by_peer:
                    colleague.send(app.jid, body)
                    await asyncio.sleep(rng.uniform(0.02, 0.2))

            async def app_talks() -> None:
                for body in sent_by_app[:FROM_APP]:  # the list grows as cuts happen
                    await app.chat.send(colleague.jid, body)
                    await asyncio.sleep(rng.uniform(0.3, 1.2))

            talking = asyncio.gather(peer_talks(), app_talks())
            for number, kind in enumerate(CUTS):
                await asyncio.sleep(rng.uniform(0.5, 1.5))
                links_before = proxy.accepted
                await cut(proxy, kind)
                started = time.perf_counter()
                # the user goes on typing into the dead link: a silent death is noticed by
                # what we send (no ack comes), not by a timer while idle
                typed = f"app after cut {number}"
                sent_by_app.append(typed)
                await app.chat.send(colleague.jid, typed)
                await seconds_until(lambda before=links_before: proxy.accepted > before
                                    and app.state is ConnectionState.ONLINE,
                                    timeout=BACK_ONLINE_S)
                back_after.append(time.perf_counter() - started)
            await talking

            # then, once things settle, each side has every message exactly once
            await seconds_until(lambda: sum(bodies_in(app, colleague.jid, Direction.IN)
                                            .values()) >= FROM_PEER, timeout=30)
            await seconds_until(lambda: len(colleague.from_(app.jid)) >= len(sent_by_app),
                                timeout=30)
            received = bodies_in(app, colleague.jid, Direction.IN)
            assert received == Counter(sent_by_peer), _difference(received, sent_by_peer)
            shown = Counter(m.body for m in app.shown(colleague.jid)
                            if m.direction is Direction.IN)
            assert shown == Counter(sent_by_peer)
            assert app.chat.conversations.unread(colleague.jid) == FROM_PEER
            got = Counter(m.body for m in colleague.from_(app.jid))
            assert got == Counter(sent_by_app), _difference(got, sent_by_app)
            # and the app knows the server has each (acked): nothing waits to go again at the
            # next start, which would send it twice
            await seconds_until(lambda: app.history.outbox() == [], timeout=10)
    finally:
        await proxy.stop()
        print(f"\n{xmpp_server.name}: back online after each cut ({', '.join(CUTS)}): "
              + ", ".join(f"{s:.2f} s" for s in back_after))


def _difference(got: Counter[str], sent: list[str]) -> str:
    missing = sorted(set(sent) - set(got))
    twice = sorted(body for body, n in got.items() if n > 1)
    return f"missing {len(missing)}: {missing[:10]}; twice {len(twice)}: {twice[:10]}"
