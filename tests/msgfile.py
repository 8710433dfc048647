"""Outlook ``.msg`` files written for the tests: no library writes them, and the public samples
are under licences this project does not use.

A ``.msg`` is a Compound File (MS-CFB, version 3: 512-byte sectors) holding MAPI properties
(MS-OXMSG): fixed-size ones in a ``__properties_version1.0`` stream, strings and binaries in
``__substg1.0_<tag>`` streams; each attachment in a ``__attach_version1.0_#<n>`` storage. Only
what a reader needs is written; streams under 4096 bytes live in the mini stream, as the
format requires.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from datetime import datetime

_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
_NO_ENTRY = 0xFFFFFFFF
_SECTOR, _MINI, _CUTOFF = 512, 64, 4096


@dataclass
class _Entry:
    name: str
    kind: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    start: int = _END
    index: int = 0
    right: int = _NO_ENTRY


def _stream(name: str, data: bytes) -> _Entry:
    return _Entry(name, 2, data)


def _string(tag: int, text: str) -> _Entry:
    return _stream(f"__substg1.0_{tag:04X}001F", text.encode("utf-16-le"))


def _properties(header: bytes, strings: dict[int, str], binaries: dict[int, bytes], longs: dict[int, int],
                times: dict[int, datetime]) -> tuple[_Entry, list[_Entry]]:
    rows = b""
    streams = []
    for tag, text in strings.items():
        entry = _string(tag, text)
        streams.append(entry)
        rows += struct.pack("<IIII", (tag << 16) | 0x001F, 6, len(entry.data) + 2, 0)
    for tag, blob in binaries.items():
        streams.append(_stream(f"__substg1.0_{tag:04X}0102", blob))
        rows += struct.pack("<IIII", (tag << 16) | 0x0102, 6, len(blob), 0)
    for tag, value in longs.items():
        rows += struct.pack("<IIiI", (tag << 16) | 0x0003, 6, value, 0)
    for tag, when in times.items():
        ticks = int((when - datetime(1601, 1, 1)).total_seconds() * 10_000_000)
        rows += struct.pack("<IIQ", (tag << 16) | 0x0040, 6, ticks)
    return _stream("__properties_version1.0", header + rows), streams


def write_msg(*, sender_name: str, sender_address: str, to: str, subject: str, body: str, sent: datetime,
              attachments: list[tuple[str, bytes, str]]) -> bytes:
    """An Outlook message with ``attachments`` (filename, bytes, media type)."""
    headers = (f"From: {sender_name} <{sender_address}>\r\nTo: {to}\r\nSubject: {subject}\r\n"
               f"Date: {sent.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\nMIME-Version: 1.0\r\n\r\n")
    header = struct.pack("<8sIIII8s", b"", 0, len(attachments), 0, len(attachments), b"")
    props, streams = _properties(header, {0x001A: "IPM.Note", 0x0037: subject, 0x0C1A: sender_name,
                                          0x0C1F: sender_address, 0x0C1E: "SMTP", 0x0E04: to, 0x1000: body,
                                          0x007D: headers}, {}, {}, {0x0039: sent, 0x0E06: sent})
    root = _Entry("Root Entry", 5, children=[props, *streams, _Entry("__nameid_version1.0", 1, children=[
        _stream("__substg1.0_00020102", b""), _stream("__substg1.0_00030102", b""),
        _stream("__substg1.0_00040102", b"")])])
    for number, (filename, data, media_type) in enumerate(attachments):
        attach_props, attach_streams = _properties(
            b"\0" * 8, {0x3707: filename, 0x3704: filename[:12], 0x370E: media_type, 0x3001: filename},
            {0x3701: data}, {0x3705: 1, 0x0E20: len(data)}, {})
        root.children.append(_Entry(f"__attach_version1.0_#{number:08X}", 1,
                                    children=[attach_props, *attach_streams]))
    return _compound_file(root)


def _flatten(root: _Entry) -> list[_Entry]:
    entries, pending = [], [root]
    while pending:
        entry = pending.pop(0)
        entry.index = len(entries)
        entries.append(entry)
        pending += entry.children
    return entries


def _key(entry: _Entry) -> tuple[int, str]:
    return len(entry.name), entry.name.upper()  # the order CFB sorts siblings in


def _compound_file(root: _Entry) -> bytes:
    entries = _flatten(root)
    for entry in entries:  # siblings as a right-leaning chain in CFB's order: a valid search tree
        siblings = sorted(entry.children, key=_key)
        for left, right in zip(siblings, siblings[1:], strict=False):
            left.right = right.index
    small = [e for e in entries if e.kind == 2 and 0 < len(e.data) < _CUTOFF]
    large = [e for e in entries if e.kind == 2 and len(e.data) >= _CUTOFF]
    mini_stream, mini_fat = b"", []
    for entry in small:
        entry.start = len(mini_stream) // _MINI
        count = math.ceil(len(entry.data) / _MINI)
        mini_fat += [entry.start + k + 1 for k in range(count - 1)] + [_END]
        mini_stream += entry.data.ljust(count * _MINI, b"\0")
    sizes = {"dir": math.ceil(len(entries) * 128 / _SECTOR), "minifat": math.ceil(len(mini_fat) * 4 / _SECTOR),
             "mini": math.ceil(len(mini_stream) / _SECTOR)}
    data_sectors = sum(sizes.values()) + sum(math.ceil(len(e.data) / _SECTOR) for e in large)
    fat_count = 1
    while fat_count * _SECTOR // 4 < fat_count + data_sectors:
        fat_count += 1
    fat = [_FAT] * fat_count
    body = b""

    def place(data: bytes) -> int:
        nonlocal body
        if not data:
            return _END
        start = len(fat)
        count = math.ceil(len(data) / _SECTOR)
        fat.extend([start + k + 1 for k in range(count - 1)] + [_END])
        body += data.ljust(count * _SECTOR, b"\0")
        return start

    for entry in large:
        entry.start = place(entry.data)
    mini_fat_start = place(b"".join(struct.pack("<I", n) for n in mini_fat))
    root.start = place(mini_stream)
    directory = b"".join(_directory_entry(e, len(mini_stream) if e.kind == 5 else len(e.data)) for e in entries)
    directory_start = place(directory.ljust(sizes["dir"] * _SECTOR, b"\0"))
    fat += [_FREE] * (fat_count * _SECTOR // 4 - len(fat))
    difat = list(range(fat_count)) + [_FREE] * (109 - fat_count)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"", 0x3E, 3, 0xFFFE, 9, 6,
                         b"", 0, fat_count, directory_start, 0, _CUTOFF, mini_fat_start if mini_fat else _END,
                         sizes["minifat"], _END, 0) + struct.pack("<109I", *difat)
    return header + b"".join(struct.pack("<I", n) for n in fat) + body


def _directory_entry(entry: _Entry, size: int) -> bytes:
    child = min(entry.children, key=_key).index if entry.children else _NO_ENTRY
    name = entry.name.encode("utf-16-le") + b"\0\0"
    return struct.pack("<64sHBBIII16sIQQIQ", name, len(name), entry.kind, 1, _NO_ENTRY, entry.right, child, b"", 0,
                       0, 0, entry.start if size else _END, size)
