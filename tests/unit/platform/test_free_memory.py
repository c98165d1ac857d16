"""Memory the process freed goes back to the operating system (glibc's malloc_trim)."""

from __future__ import annotations

import json
import subprocess
import sys

# In a child: this test session's own heap is whatever the other tests left.
CHILD = """
import ctypes, ctypes.util, json
from supporttray.platform.free_memory import release_free_memory
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]

def rss_mb():
    with open("/proc/self/status") as status:
        line = next(l for l in status if l.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024

# 64 MB in 16 kB blocks (below malloc's mmap threshold: they come from the heap), touched,
# then freed except the last, which keeps the heap's top in use, as a long-lived object would.
blocks = [libc.malloc(16 * 1024) for _ in range(4096)]
for block in blocks:
    ctypes.memset(block, 1, 16 * 1024)
for block in blocks[:-1]:
    libc.free(block)
before = rss_mb()
released = release_free_memory()
print(json.dumps({"released": released, "before": before, "after": rss_mb()}))
"""


def test_freed_heap_memory_goes_back_to_the_system() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                          check=True, timeout=60)
    seen = json.loads(done.stdout)
    assert seen["released"] is True
    assert seen["before"] - seen["after"] > 40, seen  # of the 64 MB freed

