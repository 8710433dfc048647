"""glibc's allocator and tantivy's writer: what a rebuild's memory owes to malloc rather than to tantivy.

A rebuild's writer threads fill heaps of 1 MB pages (tantivy's memory arena), free them when they
seal a segment and fill new ones, for as long as the rebuild lasts. What glibc does with those
freed pages, not what tantivy holds, made the anonymous peak of a rebuild climb as it went on
(measured in ``bench/reindex.py``, docs/sizing.md "Rebuild memory"). Both functions are no-ops
where the C library lacks them (musl, macOS).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_M_MMAP_THRESHOLD = -3
"""``mallopt``'s parameter number for the mmap threshold (glibc's ``malloc.h``)."""
_HEAP_PAGE = 1 << 20
"""The size of a page of tantivy's indexing heap (its stacker's ``MemoryArena``)."""


def _libc(name: str) -> Callable[..., Any] | None:
    import ctypes  # only to write: a cold ``ged search`` does not load it

    return getattr(ctypes.CDLL(None), name, None)


def map_heap_pages() -> None:
    """Give every block of a heap page's size or more a mapping of its own, unmapped when freed.

    glibc does that by default for blocks over 128 kB, but raises the threshold to the size of
    each such block freed: once a writer thread has sealed its first segment, the pages of every
    later heap come from malloc's arenas, and go back there when freed, fragmented, held until a
    trim. A fixed threshold also stops that adjustment. Anonymous peak of a rebuild of 1,000,000
    bench letters, with a trim after each commit (``bench.reindex``, min / median of 2): 283 / 291 MB
    before, 248 / 251 MB with this, at the same CPU time. The setting holds for the whole process,
    where it costs a ``mmap`` per large block (some tens a second while indexing)."""
    mallopt = _libc("mallopt")
    if mallopt is not None:
        mallopt(_M_MMAP_THRESHOLD, _HEAP_PAGE)


def release_freed_memory() -> None:
    """Hand back to the system what the process has freed and malloc still holds (``malloc_trim``).

    glibc keeps what a thread freed in that thread's arena for its next allocation, and the next
    segment is often built on another thread: a rebuild of 1,000,000 documents held 333–397 MB of
    anonymous memory at its peak, 264–272 MB with a trim after each commit, at the same speed. At
    the end of a rebuild, a trim takes a worker or the web server from 110–130 MB back to 70."""
    trim = _libc("malloc_trim")
    if trim is not None:
        trim(0)
