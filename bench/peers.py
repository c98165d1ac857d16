"""The peer clients' figures from the benchmark issue (measured elsewhere, same method)."""

from __future__ import annotations

from typing import Any

# launch -> seen online by a peer (s), and PSS (MB), on loopback with the Debian Prosody.
PEERS: list[dict[str, Any]] = [
    {"client": "Pidgin", "online_s": 0.27, "pss_mb": 49, "note": "0.63 s fresh profile"},
    {"client": "Psi (Qt5)", "online_s": 0.38, "pss_mb": 73, "note": ""},
    {"client": "Gajim", "online_s": 1.29, "pss_mb": 149, "note": ""},
    {"client": "Dino", "online_s": 1.48, "pss_mb": 241, "note": ""},
    {"client": "Profanity (terminal)", "online_s": 0.32, "pss_mb": 35, "note": ""},
    {"client": "bare Qt tray + slixmpp on qasync", "online_s": 0.265, "pss_mb": 71,
     "note": "0.25-0.28 s; the floor with every import eager"},
]


def peers_table() -> str:
    lines = ["Peers (from the issue, measured elsewhere):",
             f"  {'client':<34} {'online':>8} {'PSS':>8}"]
    for peer in PEERS:
        note = f"  ({peer['note']})" if peer["note"] else ""
        lines.append(f"  {peer['client']:<34} {peer['online_s']:>7.2f}s "
                     f"{peer['pss_mb']:>5} MB{note}")
    return "\n".join(lines)
