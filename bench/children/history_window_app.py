"""The history window opened on a big history, as the person sees it: from "open" (the tray's
History… builds the window the first time, loading its modules) to the first page of
conversations drawn, with a 10 ms Qt heartbeat showing whether the UI loop stalls meanwhile.

argv: HISTORY_FILE ROUNDS. Prints one JSON line: the first open (import + build + page) and
ROUNDS more opens of a fresh window (build + page), in ms, and the longest heartbeat gap.
"""

import importlib
import itertools
import json
import sys
import time


def main() -> int:
    path, rounds = sys.argv[1], int(sys.argv[2])
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    # What a running tray has loaded already.
    for loaded in ("supporttray.ui.tray", "supporttray.ui.chat.window"):
        importlib.import_module(loaded)
    from supporttray.core.history import HistoryStore

    app = QApplication([])
    store = HistoryStore(path)
    beats: list[float] = []
    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(10)
    heartbeat.timeout.connect(lambda: beats.append(time.perf_counter()))

    def open_once() -> float:
        t0 = time.perf_counter()
        # The first time, this loads the window's modules (the tray imports them on first use).
        from supporttray.ui.history.window import HistoryWindow

        window = HistoryWindow(store, name_of=str, own_name="You", author="me@example.org",
                               staff=True)
        window.open()
        while window.model.rowCount() == 0:
            app.processEvents()
            if time.perf_counter() - t0 > 30:
                raise SystemExit("no first page in 30 s")
        window.list.viewport().repaint()  # drawn now, not at the next paint event
        took = (time.perf_counter() - t0) * 1000
        window.dispose()
        window.deleteLater()
        app.processEvents()
        return took

    heartbeat.start()
    beats.append(time.perf_counter())
    first = open_once()
    opens = [open_once() for _ in range(rounds)]
    heartbeat.stop()
    gaps = [(b - a) * 1000 for a, b in itertools.pairwise(beats)]
    store.close()
    print(json.dumps({"first_ms": first, "opens_ms": opens,
                      "longest_gap_ms": max(gaps, default=0.0)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
