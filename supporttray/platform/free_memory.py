"""Giving the memory start-up freed back to the operating system.

Start-up allocates and frees a lot (imports, the login's XML, the archive catch-up, the
roster). CPython returns its own small-object arenas when they empty, but what went through
malloc stays in the C heap's free lists, counted in the process's memory for as long as it
runs, and a tray app runs for weeks. glibc's `malloc_trim(0)` hands the free pages of every
heap back (madvise); one call once the app has settled costs a few milliseconds. Elsewhere
(musl, macOS, Windows) there is no such call and nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger("supporttray.platform")


def release_free_memory() -> bool:
    """Return the C heap's free pages to the OS; False where the C library cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return False  # not glibc
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return bool(trim(0))
