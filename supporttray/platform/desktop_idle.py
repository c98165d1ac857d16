"""How long the person has not touched keyboard or mouse, from the platform (for auto-away).

The source is chosen once, at start: X11 sessions ask the X server's screen saver extension
(libXss); Wayland sessions ask the desktop on the session D-Bus (GNOME: Mutter's idle monitor;
KDE: its screen locker), because XWayland would only see input to X11 windows; Windows asks
GetLastInputInfo and macOS IOKit's HIDIdleTime. Where none answers, `desktop_idle()` says why
(doctor prints it) instead of pretending: auto-away is then off and the chosen presence stays.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass

IdleReader = Callable[[], float | None]  # seconds idle; None when it could not be read


@dataclass(frozen=True)
class DesktopIdle:
    read: IdleReader | None
    description: str  # which source, or why there is none (a sentence for doctor)


def desktop_idle(*, platform: str = sys.platform,
                 environ: Mapping[str, str] | None = None) -> DesktopIdle:
    """The idle source this session offers (`platform` and `environ` as the tests set them)."""
    env = os.environ if environ is None else environ
    if platform == "win32":
        return _windows()
    if platform == "darwin":
        return _macos()
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
        return _wayland(env)
    if not env.get("DISPLAY"):
        return DesktopIdle(None, "no X11 display (DISPLAY is unset); auto-away is off")
    return _x11()


def _wayland(env: Mapping[str, str]) -> DesktopIdle:
    from supporttray.platform.desktop_idle_dbus import (
        KDE_LOCKED_TIME,
        KDE_SESSION_IDLE,
        MUTTER,
        DBusIdleReader,
    )

    # XDG_CURRENT_DESKTOP is a colon-separated list ("ubuntu:GNOME", "KDE").
    desktops = {name.strip().lower() for name in env.get("XDG_CURRENT_DESKTOP", "").split(":")}
    if "gnome" in desktops:
        mutter = DBusIdleReader(MUTTER)
        if mutter() is None:
            mutter.close()
            return DesktopIdle(None, f"GNOME's idle monitor did not answer: {mutter.last_error}; "
                                     "auto-away is off")
        return DesktopIdle(mutter, "GNOME idle monitor (org.gnome.Mutter.IdleMonitor)")
    if "kde" in desktops:
        session = DBusIdleReader(KDE_SESSION_IDLE)
        if session() is not None:
            return DesktopIdle(session, "KDE screen locker (org.freedesktop.ScreenSaver)")
        session.close()
        # Plasma on Wayland refuses GetSessionIdleTime; how long the screen is locked remains.
        locked = DBusIdleReader(KDE_LOCKED_TIME)
        if locked() is None:
            locked.close()
            return DesktopIdle(None, f"KDE's screen locker did not answer: {locked.last_error}; "
                                     "auto-away is off")
        return DesktopIdle(locked, "KDE screen locker (org.freedesktop.ScreenSaver), "
                                   "counted from when the screen locks")
    shown = env.get("XDG_CURRENT_DESKTOP") or "unnamed"
    return DesktopIdle(None, f"this Wayland desktop ({shown}) offers no idle time an application "
                             "can read (only GNOME and KDE do); auto-away is off")


def _macos() -> DesktopIdle:
    from supporttray.platform.desktop_idle_macos import hid_idle_reader

    try:
        read = hid_idle_reader()
    except (OSError, AttributeError) as exc:
        return DesktopIdle(None, f"macOS idle time could not be read ({exc}); auto-away is off")
    return DesktopIdle(read, "macOS HID system (IOKit HIDIdleTime)")


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
