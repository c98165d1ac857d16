"""The app's event loop: asyncio on Qt, where a cancelled timer no longer wakes the app."""

from __future__ import annotations

import asyncio
import os
import signal
import threading

import pytest

from supporttray.event_loop import EventLoop


def test_a_cancelled_timer_stops_at_once_and_never_runs(loop: EventLoop) -> None:
    ran: list[str] = []
    handle = loop.call_later(30, ran.append, "late")
    loop.call_later(0.01, ran.append, "soon")
    assert loop.pending_timers == 2
    handle.cancel()
    assert loop.pending_timers == 1
    loop.run_until_complete(asyncio.sleep(0.05))
    assert ran == ["soon"]
    assert loop.pending_timers == 0


def test_an_answered_wait_leaves_no_timer_behind(loop: EventLoop) -> None:
    """The slixmpp pattern: wait for a reply with a 30 s timeout; the reply comes first."""

    async def ask() -> str:
        reply: asyncio.Future[str] = loop.create_future()
        loop.call_later(0.01, reply.set_result, "pong")
        return await asyncio.wait_for(reply, timeout=30)

    assert loop.run_until_complete(ask()) == "pong"
    assert loop.pending_timers == 0


def test_call_soon_call_at_and_order_still_hold(loop: EventLoop) -> None:
    order: list[int] = []
    loop.call_at(loop.time() + 0.02, order.append, 3)
    loop.call_soon(order.append, 1)
    loop.call_soon(order.append, 2)
    loop.run_until_complete(asyncio.sleep(0.06))
    assert order == [1, 2, 3]


def test_a_coroutine_is_refused_as_a_timer_callback(loop: EventLoop) -> None:
    async def not_a_callback() -> None:
        return None

    with pytest.raises(TypeError):
        loop.call_later(1, not_a_callback)


def test_a_signal_handler_runs_on_the_loop(loop: EventLoop) -> None:
    """asyncio schedules signal handlers with a plain handle (Ctrl-C and SIGTERM quit)."""
    got = asyncio.Event()
    loop.add_signal_handler(signal.SIGUSR1, got.set)
    try:
        os.kill(os.getpid(), signal.SIGUSR1)
        loop.run_until_complete(asyncio.wait_for(got.wait(), timeout=5))
    finally:
        loop.remove_signal_handler(signal.SIGUSR1)
    assert got.is_set()


def test_worker_threads_start_when_needed_and_not_ten_at_once(loop: EventLoop) -> None:
    def workers() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name.startswith("worker")]

    before = workers()
    assert loop.run_until_complete(asyncio.to_thread(lambda: 21 * 2)) == 42
    assert len(workers()) - len(before) == 1
