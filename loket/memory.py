"""Giving the heap a kiosk freed back to the system while it rests between citizens.

glibc keeps freed heap pages for later use, and a long-running Kivy process frees and reuses
memory in pieces the allocator cannot hand back from the top of the heap alone: its resident size
then moves in steps that are free memory, not growth. `malloc_trim(0)` releases every free page of
every arena, so a kiosk that calls it when it rests shows what it really holds. The garbage in
reference cycles is collected first, or its pages would still be held.
"""

from __future__ import annotations

import ctypes
import functools
import gc


@functools.cache
def _malloc_trim():
    """glibc's `malloc_trim`, or None on a C library without it (musl, macOS)."""
    try:
        return ctypes.CDLL(None).malloc_trim  # the process's own symbols, the C library's among them
    except (OSError, AttributeError):
        return None


def give_back_freed_memory() -> bool:
    """Collects the garbage in reference cycles, then returns the heap's free pages to the system;
    False where the C library cannot (the garbage is still collected)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
