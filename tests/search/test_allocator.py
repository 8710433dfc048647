"""The allocator settings a rebuild relies on to keep its memory flat (ged/search/allocator.py)."""

from __future__ import annotations

import ctypes

import pytest

from ged.search.allocator import map_heap_pages, release_freed_memory

_PAGE = 1 << 20


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
                 "keepcost")]


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None)
    if not hasattr(libc, "mallinfo2"):
        pytest.skip("la bibliothèque C n'est pas la glibc ≥ 2.33 (pas de mallinfo2) : réglage sans effet ici")
    libc.mallinfo2.restype = _MallInfo2
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    return libc


def test_a_heap_page_is_mapped_on_its_own_even_after_a_larger_block_was_freed() -> None:
    """Without the fixed threshold, freeing a 4 MB mapped block raises glibc's threshold to 4 MB, and
    the next 1 MB page comes from an arena (where, freed, it stays)."""
    libc = _libc()
    map_heap_pages()
    larger = libc.malloc(4 * _PAGE)
    libc.free(larger)
    mapped = libc.mallinfo2().hblks
    page = libc.malloc(_PAGE)
    try:
        assert libc.mallinfo2().hblks == mapped + 1
    finally:
        libc.free(page)
    assert libc.mallinfo2().hblks == mapped  # unmapped when freed: back to the system at once


def _anonymous_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("RssAnon")) / 1024


def test_a_trim_returns_what_was_freed_inside_an_arena() -> None:
    """80 MB of small blocks freed below one still held: glibc keeps the pages (the arena's top is
    not free, so nothing is trimmed by itself) until ``malloc_trim`` gives them back."""
    libc = _libc()
    blocks = [libc.malloc(4000) for _ in range(20_000)]
    for block in blocks:
        ctypes.memset(block, 1, 4000)
    held = libc.malloc(4000)
    for block in blocks:
        libc.free(block)
    try:
        before = _anonymous_mb()
        release_freed_memory()
        assert before - _anonymous_mb() > 60
    finally:
        libc.free(held)
