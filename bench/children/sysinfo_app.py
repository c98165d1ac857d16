"""System-info collection as the app does it: SysinfoCollector.collect_async on the Qt/qasync loop.

A fresh process, so the first collection pays for what the sources import on first use
(psutil, platform, ...). Every default source is wrapped to note the thread it runs on and how
long it takes; a 10 ms Qt PreciseTimer heartbeat shows whether the UI loop stalls meanwhile.
argv: WARM_COUNT. Prints one JSON line.
"""

import itertools
import json
import sys
import threading
import time


def main() -> int:
    warm_count = int(sys.argv[1])
    from PySide6.QtCore import Qt, QTimer

    from supporttray import __version__
    from supporttray.config.sysinfo_fields import KEYS as SYSINFO_FIELDS
    from supporttray.core.sysinfo import UNAVAILABLE
    from supporttray.launcher import run_qt
    from supporttray.platform.sysinfo_collector import SysinfoCollector
    from supporttray.platform.sysinfo_sources import DEFAULT_SOURCES

    calls: list[tuple[str, int, float, str]] = []  # (field, thread id, seconds, thread name)

    def watched(key, source):
        def run():
            began = time.perf_counter()
            try:
                return source()
            finally:
                calls.append((key, threading.get_ident(), time.perf_counter() - began,
                              threading.current_thread().name))
        return run

    sources = {key: watched(key, source) for key, source in DEFAULT_SOURCES.items()}
    collector = SysinfoCollector(SYSINFO_FIELDS, sources=sources, app_version=__version__,
                                 connection=lambda: ("localhost (127.0.0.1:5222)", "TLSv1.3"))
    ticks: list[float] = []

    async def measure() -> int:
        heartbeat = QTimer()
        heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
        heartbeat.setInterval(10)
        heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
        heartbeat.start()
        loop_thread = threading.get_ident()
        times = []
        unavailable = []
        slowest_first = None
        windows = []
        on_loop = 0
        threads = set()
        for i in range(1 + warm_count):
            calls.clear()
            began = time.perf_counter()
            snapshot = await collector.collect_async()
            ended = time.perf_counter()
            times.append(ended - began)
            windows.append((began, ended))
            unavailable.append(sorted(item.key for item in snapshot.items
                                      if item.value == UNAVAILABLE))
            on_loop += sum(1 for _, ident, _, _ in calls if ident == loop_thread)
            threads |= {name for _, _, _, name in calls}
            if i == 0:
                slowest_first = sorted(((k, round(s * 1000, 1)) for k, _, s, _ in calls),
                                       key=lambda kv: -kv[1])[:4]
        heartbeat.stop()
        points = ticks
        gaps = [b - a for a, b in itertools.pairwise(points)
                if any(b >= w0 and a <= w1 for w0, w1 in windows)]
        print(json.dumps({
            "first": times[0], "warm": times[1:], "fields": len(SYSINFO_FIELDS),
            "on_loop": on_loop, "thread_names": sorted(threads),
            "unavailable_first": unavailable[0], "slowest_first": slowest_first,
            "max_gap": max(gaps, default=0.0),
        }), flush=True)
        return 0

    return run_qt(measure)


if __name__ == "__main__":
    raise SystemExit(main())
