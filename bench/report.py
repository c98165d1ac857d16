"""The printed table: figure, value, same-run baseline, ratio, budget, verdict."""

from __future__ import annotations

from collections.abc import Sequence

from bench.common import Row, fmt

HEADER = ("figure", "metric", "value", "baseline", "ratio", "budget", "verdict")


def table(rows: Sequence[Row]) -> str:
    body = []
    for row in rows:
        value = f"{fmt(row.value)} {row.unit}".strip() if row.value is not None else "-"
        baseline = (f"{fmt(row.baseline)} ({row.baseline_label})" if row.baseline is not None
                    else "-")
        ratio = f"{row.ratio:.2f}x" if row.ratio is not None else "-"
        body.append((row.figure, row.metric, value, baseline, ratio, row.budget_text(),
                     row.verdict))
    widths = [max(len(str(r[i])) for r in (HEADER, *body)) for i in range(len(HEADER))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(HEADER, widths, strict=True)).rstrip(),
             "  ".join("-" * w for w in widths)]
    for r in body:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    notes = [f"  {row.figure} / {row.metric}: {row.note}" for row in rows if row.note]
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines)
