"""A PNG's compressed pixels as PDF can carry them, without decoding or recompressing.

PNG image data is a zlib stream of rows with per-row filters: exactly what PDF's
FlateDecode with ``/Predictor 15`` reads. Only non-interlaced 8-bit gray or RGB (and 1-bit
gray) images qualify; anything else is re-encoded by the caller.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_COLOURS = {0: 1, 2: 3}  # colour type → components (gray, RGB)


@dataclass(frozen=True)
class PngData:
    width: int
    height: int
    components: int
    bits: int
    data: bytes


def read(path: Path) -> PngData | None:
    """The IDAT stream of a PNG that PDF can embed as is, or None."""
    raw = path.read_bytes()
    if not raw.startswith(_SIGNATURE):
        return None
    position, idat = len(_SIGNATURE), bytearray()
    header: tuple[int, ...] | None = None
    while position + 8 <= len(raw):
        length, kind = struct.unpack(">I4s", raw[position:position + 8])
        body = raw[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind in (b"tRNS", b"PLTE"):
            return None  # transparency or palette: needs conversion
        elif kind == b"IEND":
            break
        position += 12 + length
    if header is None or not idat:
        return None
    width, height, bits, colour_type, _compression, _filter, interlace = header
    components = _COLOURS.get(colour_type)
    if components is None or interlace or bits not in (8,) + ((1,) if components == 1 else ()):
        return None
    return PngData(width, height, components, bits, bytes(idat))
