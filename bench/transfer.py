"""Figure: files. Upload and download throughput of app.transfers against curl moving the same
file to the same sandbox in the same run (a ratio), and the app's peak memory growth while a
1 GB file goes up and comes back (it must stream, not hold the file).

The app side runs in a fresh process (children/transfer_app.py); curl gets its own upload slot
from that process and the CA file the app trusts. Smoke: 8 MB.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.common import CHILDREN, Row, Run

FIGURE = "files"
MB = 1024 * 1024


def _generated(path: Path, size: int) -> None:
    block = os.urandom(MB)
    with path.open("wb") as out:
        for _ in range(size // MB):
            out.write(block)  # repeated: the hash and the wire do not care, the disk is fast


def _curl(args: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(["curl", "--silent", "--show-error", "--fail", *args], check=True,
                   timeout=600, capture_output=True)
    return time.perf_counter() - began


def measure(run: Run) -> list[Row]:
    size = (8 if run.smoke else 1024) * MB
    sandbox = run.sandbox
    sender, peer = "files-bench", "files-peer"
    for name in (sender, peer):
        sandbox.add_account(name, run.password(name))
    work = run.tmp / "files"
    (work / "downloads").mkdir(parents=True, exist_ok=True)
    source = work / "build.bin"
    _generated(source, size)
    try:
        done = subprocess.run(
            [run.python, str(CHILDREN / "transfer_app.py"), sandbox.host, str(sandbox.c2s_port),
             str(sandbox.ca_file), run.jid(sender), run.password(sender), run.jid(peer),
             str(source), str(work / "downloads")],
            env=run.env, capture_output=True, text=True, timeout=900)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or not lines:
            raise RuntimeError(f"transfer child failed ({done.returncode}): {done.stderr[-800:]}")
        app: dict[str, Any] = json.loads(lines[-1])
        ca = ["--cacert", str(sandbox.ca_file)]
        headers = [arg for header in app["curl_headers"] for arg in ("-H", header)]
        curl_up = _curl([*ca, *headers, "-H", f"Content-Type: {app['media_type']}",
                         "-T", str(source), app["curl_put"]])
        curl_down = _curl([*ca, "-o", str(work / "curl-download.bin"), app["curl_get"]])
    finally:
        for leftover in (source, work / "curl-download.bin", *(work / "downloads").iterdir()):
            leftover.unlink(missing_ok=True)
    mb = size / MB
    up, down = mb / app["upload_seconds"], mb / app["download_seconds"]
    return [
        Row(FIGURE, f"upload throughput ({mb:.0f} MB, HTTPS loopback)", up, "MB/s",
            baseline=mb / curl_up, baseline_label="curl -T",
            note=f"app {app['upload_seconds']:.2f} s, curl {curl_up:.2f} s; ratio = curl's "
                 "time / the app's (1.0 = as fast as curl)",
            detail={"app_seconds": app["upload_seconds"], "curl_seconds": curl_up}),
        Row(FIGURE, f"download throughput ({mb:.0f} MB, verified)", down, "MB/s",
            baseline=mb / curl_down, baseline_label="curl -o",
            note=f"app {app['download_seconds']:.2f} s (with SHA-256), curl {curl_down:.2f} s",
            detail={"app_seconds": app["download_seconds"], "curl_seconds": curl_down,
                    "verified": app["verified"]}),
        Row(FIGURE, f"peak memory growth during the {mb:.0f} MB upload",
            app["upload_memory_growth"] / MB, "MB", budget=50.0,
            note="RSS sampled every 10 ms in the sending process"),
        Row(FIGURE, f"peak memory growth during the {mb:.0f} MB download",
            app["download_memory_growth"] / MB, "MB", budget=50.0,
            note="RSS sampled every 10 ms in the receiving process"),
    ]
