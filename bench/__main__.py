"""`python -m bench [--smoke] [--json OUT] [--only NAME...]`: run the figures, print the table.

Starts its own sandbox Prosody; needs nothing running. Exit code 0 when it ran (whatever the
verdicts: this is a measurement, not a test), 1 when a figure could not be measured at all, or,
with --strict, when any budget failed.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from bench.common import BENCH_DIR, Row, Run
from bench.peers import PEERS, peers_table
from bench.report import table

# name -> module with `measure(run) -> list[Row]`, in the order they run.
FIGURES = {
    "cold_start": "bench.cold_start",
    "idle": "bench.idle",
    "latency": "bench.latency",
    "flood": "bench.flood",
    "sysinfo": "bench.sysinfo",
    "history": "bench.history",
    "staff_room": "bench.staff_room",
    "reconnect": "bench.reconnect",
    "transfer": "bench.transfer",
}
DEFAULT_JSON = BENCH_DIR / "results" / "latest.json"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true",
                        help="a quick pass (seconds, not minutes) that proves every figure runs")
    parser.add_argument("--json", metavar="OUT", type=Path, default=DEFAULT_JSON,
                        help=f"where to write the results (default: {DEFAULT_JSON})")
    parser.add_argument("--only", metavar="NAME", nargs="+", choices=sorted(FIGURES),
                        help="run only these figures")
    parser.add_argument("--requesters", type=int, metavar="N",
                        help="contacts in the presence flood (default 1000; smoke 50)")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any budget fails")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = args.only or list(FIGURES)
    run = Run(smoke=args.smoke, requesters=args.requesters)
    began = time.perf_counter()
    rows: list[Row] = []
    counts: dict[str, int] = {}
    errors: dict[str, str] = {}
    timings: dict[str, float] = {}
    try:
        for name in names:
            start = time.perf_counter()
            print(f"[bench] {name} ...", file=sys.stderr, flush=True)
            try:
                module = importlib.import_module(FIGURES[name])
                measured = module.measure(run)
                rows.extend(measured)
                counts[name] = len(measured)
            except Exception as exc:
                traceback.print_exc()
                errors[name] = f"{type(exc).__name__}: {exc}"
            timings[name] = round(time.perf_counter() - start, 2)
            print(f"[bench] {name} took {timings[name]:.1f} s", file=sys.stderr, flush=True)
    finally:
        run.close()
    total = time.perf_counter() - began
    print(table(rows))
    print()
    print(peers_table())
    for name, error in errors.items():
        print(f"\n{name}: NOT MEASURED ({error})")
    print(f"\n{'smoke' if args.smoke else 'full'} run, {total:.0f} s; "
          f"{sum(r.verdict == 'PASS' for r in rows)} PASS, "
          f"{sum(r.verdict == 'FAIL' for r in rows)} FAIL")
    result = {
        "mode": "smoke" if args.smoke else "full",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "seconds": round(total, 1),
        "figure_seconds": timings,
        "figures": names,
        "rows_per_figure": counts,
        "rows": [row.as_json() for row in rows],
        "errors": errors,
        "peers": PEERS,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"results: {args.json}", file=sys.stderr)
    if errors:
        return 1
    if args.strict and any(r.verdict == "FAIL" for r in rows):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
