"""The benchmark suite keeps working: its smoke mode produces every figure as valid JSON.

Budgets are not asserted here (timing tests on a shared machine are noise): `python -m bench`
judges them. This only proves that every figure can still be measured end to end, against the
sandbox Prosody the suite starts itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.integration  # the suite starts a sandbox Prosody

FIGURES = {"cold_start", "idle", "latency", "flood", "sysinfo", "history", "staff_room",
           "reconnect", "transfer"}


@pytest.fixture(scope="module")
def smoke_result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--json", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, f"python -m bench --smoke failed:\n{done.stdout}\n{done.stderr}"
    assert "verdict" in done.stdout, "the table was not printed"
    result: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return result


def test_smoke_run_measures_every_figure_without_errors(smoke_result: dict[str, object]) -> None:
    # given the smoke run's JSON
    rows = smoke_result["rows"]
    assert isinstance(rows, list)

    # then it is the smoke mode, nothing failed to run, and every figure has rows
    assert smoke_result["mode"] == "smoke"
    assert smoke_result["errors"] == {}
    per_figure = smoke_result["rows_per_figure"]
    assert isinstance(per_figure, dict)
    assert set(per_figure) == FIGURES
    assert all(count > 0 for count in per_figure.values()), per_figure
    assert sum(per_figure.values()) == len(rows)


def test_every_row_has_a_value_and_a_verdict(smoke_result: dict[str, object]) -> None:
    rows = smoke_result["rows"]
    assert isinstance(rows, list) and rows
    for row in rows:
        assert isinstance(row["value"], (int, float)), row
        assert row["verdict"] in ("PASS", "FAIL", "info"), row
        if row["budget"] is not None or row["budget_ratio"] is not None:
            assert row["verdict"] in ("PASS", "FAIL"), row


def test_baselines_are_measured_in_the_same_run(smoke_result: dict[str, object]) -> None:
    rows = smoke_result["rows"]
    assert isinstance(rows, list)
    with_baseline = {row["figure"] for row in rows if row["baseline"] is not None}
    # cold start, idle, latency, the presence flood and reconnection each compare against a
    # bare client
    assert {"cold start", "idle", "message latency", "presence flood",
            "reconnect"} <= with_baseline
