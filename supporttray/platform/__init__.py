"""OS probes: system-info sources, desktop idle time (no Qt widgets, no slixmpp)."""
