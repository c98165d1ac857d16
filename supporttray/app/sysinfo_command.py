"""`supporttray sysinfo [--json]`: print exactly what a new request would carry under the policy."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping
from typing import TextIO

from supporttray.platform.sysinfo_collector import SysinfoCollector
from supporttray.platform.sysinfo_sources import Source

log = logging.getLogger("supporttray.sysinfo")

# ASCII only: a Windows console with a legacy code page cannot print a dash or an ellipsis.
_CONSENT_LINES = {
    "preview": "Consent: preview - you are shown this before a new request is sent, "
    "and can remove any field.",
    "always": "Consent: always - this is attached to the first message of every new request.",
    "never": "Consent: never - no system info is attached to requests.",
}


def run_sysinfo(
    fields: list[str],
    consent: str,
    *,
    as_json: bool,
    out: TextIO,
    app_version: str,
    sources: Mapping[str, Source] | None = None,
) -> int:
    """Collect what policy allows and print it; returns the exit code.

    `sources` replaces default sources (tests). Without a running session, conn.server and
    conn.tls read "unavailable": this process has no connection to report on.
    """
    if consent not in _CONSENT_LINES:
        out.write(f"Unknown sysinfo.consent {consent!r}: expected preview, always or never.\n")
        return 2
    attached = consent != "never" and bool(fields)
    items: list[dict[str, str]] = []
    elapsed_ms = 0.0
    if attached:
        collector = SysinfoCollector(fields, sources=sources, app_version=app_version)
        started = time.perf_counter()
        snapshot = collector.collect()
        elapsed_ms = (time.perf_counter() - started) * 1e3
        log.info("system info collected in %.1f ms", elapsed_ms)
        items = [{"key": i.key, "label": i.label, "value": i.value} for i in snapshot.items]
    if as_json:
        document = {
            "consent": consent,
            "attached": attached,
            "fields": items,
            "collected_ms": round(elapsed_ms, 1),
        }
        out.write(json.dumps(document, indent=2) + "\n")
        return 0
    out.write(_CONSENT_LINES[consent] + "\n")
    if consent != "never" and not fields:
        out.write("The policy allows no fields (sysinfo.fields is empty): nothing is attached.\n")
    elif attached:
        out.write("\n" + snapshot.text_block().lstrip("\n") + "\n")
    return 0
