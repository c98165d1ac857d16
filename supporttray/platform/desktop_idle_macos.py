"""Idle time on macOS: IOKit's `HIDIdleTime` on the HID system's registry entry.

`IOHIDSystem` keeps the nanoseconds since the last keyboard, mouse or trackpad event as a
property any process may read, without the Accessibility or Input Monitoring permission an event
tap would ask the person for. Read through ctypes so the app needs no PyObjC.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable
from typing import Final

_CF_STRING_ENCODING_UTF8: Final = 0x08000100
_CF_NUMBER_SINT64: Final = 4
_IO_MAIN_PORT_DEFAULT: Final = 0  # kIOMainPortDefault (formerly kIOMasterPortDefault)


def seconds_from_nanoseconds(value: int | bytes) -> float | None:
    """`HIDIdleTime` in seconds: a CFNumber on current macOS, eight bytes of CFData (in the
    machine's byte order) on some older ones; None for anything else."""
    if isinstance(value, bytes):
        if len(value) != 8:
            return None
        value = int.from_bytes(value, sys.byteorder)
    if value < 0:
        return None
    return value / 1e9


def hid_idle_reader() -> Callable[[], float | None]:
    """A reader of `HIDIdleTime`; raises OSError with a sentence when IOKit cannot give one."""
    iokit_name = ctypes.util.find_library("IOKit")
    cf_name = ctypes.util.find_library("CoreFoundation")
    if not iokit_name or not cf_name:
        raise OSError("the IOKit framework was not found")
    iokit, cf = ctypes.CDLL(iokit_name), ctypes.CDLL(cf_name)
    _declare(iokit, cf)
    # IOServiceGetMatchingService consumes the matching dictionary: no CFRelease of it here.
    service = iokit.IOServiceGetMatchingService(_IO_MAIN_PORT_DEFAULT,
                                                iokit.IOServiceMatching(b"IOHIDSystem"))
    if not service:
        raise OSError("IOKit has no IOHIDSystem service")
    key = cf.CFStringCreateWithCString(None, b"HIDIdleTime", _CF_STRING_ENCODING_UTF8)
    number_type, data_type = cf.CFNumberGetTypeID(), cf.CFDataGetTypeID()

    def read() -> float | None:
        prop = iokit.IORegistryEntryCreateCFProperty(service, key, None, 0)
        if not prop:
            return None
        try:
            kind = cf.CFGetTypeID(prop)
            if kind == number_type:
                value = ctypes.c_int64()
                if not cf.CFNumberGetValue(prop, _CF_NUMBER_SINT64, ctypes.byref(value)):
                    return None
                return seconds_from_nanoseconds(value.value)
            if kind == data_type:
                return seconds_from_nanoseconds(
                    ctypes.string_at(cf.CFDataGetBytePtr(prop), cf.CFDataGetLength(prop)))
            return None
        finally:
            cf.CFRelease(prop)

    if read() is None:
        raise OSError("IOHIDSystem has no HIDIdleTime")
    return read


def _declare(iokit: ctypes.CDLL, cf: ctypes.CDLL) -> None:
    """Argument and result types: without them ctypes would cut pointers to 32-bit ints."""
    iokit.IOServiceMatching.argtypes = [ctypes.c_char_p]
    iokit.IOServiceMatching.restype = ctypes.c_void_p
    iokit.IOServiceGetMatchingService.argtypes = [ctypes.c_uint32, ctypes.c_void_p]
    iokit.IOServiceGetMatchingService.restype = ctypes.c_uint32  # io_service_t
    iokit.IORegistryEntryCreateCFProperty.argtypes = [
        ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_uint32]
    iokit.IORegistryEntryCreateCFProperty.restype = ctypes.c_void_p
    cf.CFStringCreateWithCString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32]
    cf.CFStringCreateWithCString.restype = ctypes.c_void_p
    cf.CFGetTypeID.argtypes = [ctypes.c_void_p]
    cf.CFGetTypeID.restype = ctypes.c_ulong
    cf.CFNumberGetTypeID.restype = ctypes.c_ulong
    cf.CFDataGetTypeID.restype = ctypes.c_ulong
    cf.CFNumberGetValue.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    cf.CFNumberGetValue.restype = ctypes.c_bool
    cf.CFDataGetBytePtr.argtypes = [ctypes.c_void_p]
    cf.CFDataGetBytePtr.restype = ctypes.c_void_p
    cf.CFDataGetLength.argtypes = [ctypes.c_void_p]
    cf.CFDataGetLength.restype = ctypes.c_long
    cf.CFRelease.argtypes = [ctypes.c_void_p]
    cf.CFRelease.restype = None
