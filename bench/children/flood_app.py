"""`supporttray run`, instrumented from outside, for the presence-flood figure.

Runs the real command line (cli.main(["run", ...])) after wrapping three names the launcher
looks up when it runs: SupportService (to see the slixmpp session start), TrayController (to
watch the view and run the heartbeat) and launcher.build_chat (to reach the PresenceBook). No
product code changes. A 10 ms Qt PreciseTimer is the heartbeat: every gap between two ticks
beyond 10 ms is time the UI loop could not run.

argv: PROFILE POLICY N TAIL_SECONDS. Prints one JSON line with the moments (perf_counter) and the
heartbeat's gaps, then quits the app as SIGTERM does.
"""

import itertools
import json
import os
import signal
import sys
import time

PROFILE, POLICY, N, TAIL = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
TIMEOUT_S = 60.0
marks: dict[str, float] = {}
cpu: dict[str, float] = {}  # process CPU seconds at the same moments: steadier on a busy machine
ticks: list[float] = []
counts = {"book_events": 0, "bridge_flushes": 0, "flushes_before_view": 0, "disco_info_asked": 0}
DISCO_INFO = "{http://jabber.org/protocol/disco#info}query"
available: set[str] = set()
state: dict[str, object] = {}


def mark(name: str) -> None:
    if name not in marks:
        cpu[name] = time.process_time()
        marks[name] = time.perf_counter()


def finish(reason: str) -> None:
    if "done" in state:
        return
    state["done"] = True
    start = marks.get("session_start", marks.get("launched", 0.0))
    view = marks.get("view", ticks[-1] if ticks else start)

    points = [*ticks, time.perf_counter()]  # up to now: a stall may still be going on

    def max_gap(t0: float, t1: float) -> float:
        """The longest gap between two ticks that ends at or after t0 and starts before t1."""
        return max((b - a for a, b in itertools.pairwise(points) if b >= t0 and a < t1),
                   default=0.0)

    # The view is complete once the loop runs again: the first tick after the view mark.
    resumed = next((t for t in points if t >= view), view)

    result = {
        "reason": reason, "n": N, "marks": marks, "cpu": cpu, "counts": counts,
        "available": len(available),
        "max_gap_during": max_gap(start, resumed),
        "max_gap_after": max_gap(resumed + 1e-9, resumed + TAIL),
        "rows": state.get("rows"),
        "ticks": len(ticks),
        # The five longest gaps: (seconds after session start where it began, length).
        "worst_gaps": sorted(((a - start, b - a) for a, b in itertools.pairwise(points)),
                             key=lambda g: -g[1])[:5],
    }
    print(json.dumps(result), flush=True)
    os.kill(os.getpid(), signal.SIGTERM)  # the app's own clean quit


def count_disco_queries(stanza):
    """Who asks what we are (a server's PEP service asks at a caps hash it has not seen)."""
    if stanza.xml.get("type") == "get" and stanza.xml.find(DISCO_INFO) is not None:
        counts["disco_info_asked"] += 1
    return stanza


def install() -> None:
    from PySide6.QtCore import Qt, QTimer

    import supporttray.app.service as service_module
    import supporttray.launcher as launcher
    import supporttray.ui.tray as tray_module
    from supporttray.core.presence import Availability

    real_build_chat = launcher.build_chat

    def build_chat(*args, **kwargs):
        chat = real_build_chat(*args, **kwargs)
        book = chat.book

        def changed(event):
            counts["book_events"] += 1
            for jid in event.jids:
                member = book.member(jid)
                if member is not None and member.availability is Availability.AVAILABLE:
                    available.add(jid)
                else:
                    available.discard(jid)
            if len(available) >= N:
                mark("model")

        book.changed.subscribe(changed)
        state["book"] = book
        return chat

    launcher.build_chat = build_chat

    class Service(service_module.SupportService):
        async def start(self):
            await super().start()
            client = self._connection._client  # instrumentation reaches inside
            client.add_event_handler("session_start", lambda _e: mark("session_start"))
            client.add_filter("in", count_disco_queries)

    service_module.SupportService = Service

    class Tray(tray_module.TrayController):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # Connected after the controller's own slots: runs once the view has re-read the
            # model for this flush.
            self.bridge.staff_changed.connect(self._bench_flushed)
            heartbeat = QTimer(self)
            heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
            heartbeat.setInterval(10)
            heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
            heartbeat.start()
            self._bench_heartbeat = heartbeat
            watchdog = QTimer(self)
            watchdog.setSingleShot(True)
            watchdog.timeout.connect(lambda: finish("timeout"))
            watchdog.start(int(TIMEOUT_S * 1000))
            self._bench_watchdog = watchdog

        def _bench_flushed(self, _jids):
            counts["bridge_flushes"] += 1
            if "view" in marks:
                return
            counts["flushes_before_view"] += 1
            if "model" in marks:
                rows = self.window.staff_list.count()
                state["rows"] = rows
                mark("view")
                QTimer.singleShot(int(TAIL * 1000), lambda: finish("done"))

    tray_module.TrayController = Tray


def main() -> int:
    mark("launched")
    install()
    from supporttray.cli import main as cli_main

    return cli_main(["run", "--profile", PROFILE, "--policy", POLICY])


if __name__ == "__main__":
    raise SystemExit(main())
