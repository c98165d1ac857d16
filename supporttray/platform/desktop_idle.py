"""How long the person has not touched keyboard or mouse, from the platform (for auto-away).

X11: the screen saver extension (libXss). Windows: GetLastInputInfo. Wayland sessions and macOS
have no way here that works without extra services or permissions, so `desktop_idle()` says
so (doctor prints it) instead of pretending: auto-away is then off and the chosen presence
stays as it is.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

IdleReader = Callable[[], float | None]  # seconds idle; None when it could not be read


@dataclass(frozen=True)
class DesktopIdle:
    read: IdleReader | None
    description: str  # which source, or why there is none (a sentence for doctor)


def desktop_idle() -> DesktopIdle:
    if sys.platform == "win32":
        return _windows()
    if sys.platform == "darwin":
        return DesktopIdle(None, "macOS idle time is not read yet; auto-away is off")
    if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("XDG_SESSION_TYPE") == "wayland":
        # XWayland would only see input to X11 windows: idle while the person types elsewhere.
        return DesktopIdle(None, "this Wayland session gives applications no idle time; "
                                 "auto-away is off")
    if not os.environ.get("DISPLAY"):
        return DesktopIdle(None, "no X11 display (DISPLAY is unset); auto-away is off")
    return _x11()


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = [("window", ctypes.c_ulong), ("state", ctypes.c_int), ("kind", ctypes.c_int),
                ("til_or_since", ctypes.c_ulong), ("idle", ctypes.c_ulong),
                ("event_mask", ctypes.c_ulong)]


def _x11() -> DesktopIdle:
    x11_name, xss_name = ctypes.util.find_library("X11"), ctypes.util.find_library("Xss")
    if not x11_name or not xss_name:
        return DesktopIdle(None, "the X11 screen saver library (libXss) is not installed; "
                                 "auto-away is off")
    try:
        x11, xss = ctypes.CDLL(x11_name), ctypes.CDLL(xss_name)
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x11.XDefaultRootWindow.restype = ctypes.c_ulong
        x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        xss.XScreenSaverQueryExtension.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]
        xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_XScreenSaverInfo)
        xss.XScreenSaverQueryInfo.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(_XScreenSaverInfo)]
    except (OSError, AttributeError) as exc:
        return DesktopIdle(None, f"the X11 libraries could not be loaded ({exc}); "
                                 "auto-away is off")
    display = x11.XOpenDisplay(None)
    if not display:
        return DesktopIdle(None, "the X11 display could not be opened; auto-away is off")
    event_base, error_base = ctypes.c_int(), ctypes.c_int()
    if not xss.XScreenSaverQueryExtension(display, ctypes.byref(event_base),
                                          ctypes.byref(error_base)):
        return DesktopIdle(None, "the X server has no screen saver extension; auto-away is off")
    root = x11.XDefaultRootWindow(display)
    info = xss.XScreenSaverAllocInfo()

    def read() -> float | None:
        if not xss.XScreenSaverQueryInfo(display, root, info):
            return None
        return float(info.contents.idle) / 1000.0

    return DesktopIdle(read, "X11 screen saver extension")


def _windows() -> DesktopIdle:
    class LastInputInfo(ctypes.Structure):
        _fields_ = [("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint)]

    try:
        user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    except (AttributeError, OSError) as exc:
        return DesktopIdle(None, f"GetLastInputInfo is not available ({exc}); auto-away is off")
    last = LastInputInfo(ctypes.sizeof(LastInputInfo), 0)

    def read() -> float | None:
        if not user32.GetLastInputInfo(ctypes.byref(last)):
            return None
        # Both tick counts are 32-bit milliseconds and wrap together after 49.7 days.
        return float((kernel32.GetTickCount() - last.dwTime) & 0xFFFFFFFF) / 1000.0

    return DesktopIdle(read, "Windows GetLastInputInfo")
