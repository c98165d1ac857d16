"""The history window: every conversation kept on this computer, searched and read back.

Loaded only when the person opens it (tray menu "History…" or a chat's "History"): the idle
tray's memory is budgeted, and most days nobody looks back.
"""
