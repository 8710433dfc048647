"""The allocator settings a rebuild relies on to keep its memory flat (ged/search/allocator.py)."""

from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path

import pytest

from ged.search.allocator import release_freed_memory


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


_PAGE_CHECK = """
import ctypes, sys
from ged.search.allocator import map_heap_pages
from tests.search.test_allocator import _MallInfo2
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = _MallInfo2
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
if sys.argv[1] == "fixed":
    map_heap_pages()
libc.free(libc.malloc(4 << 20))
mapped = libc.mallinfo2().hblks
page = libc.malloc(1 << 20)
print(libc.mallinfo2().hblks - mapped)
libc.free(page)
print(libc.mallinfo2().hblks - mapped)
"""


@pytest.mark.parametrize("threshold", ["fixed", "glibc's own"])
def test_a_heap_page_is_mapped_on_its_own_even_after_a_larger_block_was_freed(threshold: str) -> None:
    """In a fresh process (in a long one, a free chunk of the arena may serve the page either way):
    freeing a 4 MB mapped block raises glibc's own threshold to 4 MB, and the next 1 MB page comes
    from an arena, where it stays when freed; with the threshold fixed, it is mapped and unmapped."""
    _libc()
    result = subprocess.run([sys.executable, "-c", _PAGE_CHECK, "fixed" if threshold == "fixed" else "dynamic"],
                            capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2])
    while_held, once_freed = map(int, result.stdout.split())
    assert (while_held, once_freed) == ((1, 0) if threshold == "fixed" else (0, 0))


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
