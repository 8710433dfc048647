"""The quarantine folder: refused inputs, each beside a reason file a person can read.

The copy is made before the caller may remove its source, so a refused file is never
lost, whatever happens to the watched folder or the batch afterwards.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

REASON_SUFFIX = ".motif.txt"


@dataclass(frozen=True)
class QuarantineEntry:
    path: Path
    reason_file: Path


def _safe_name(name: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    return cleaned[:150] or "fichier"


def put(root: Path, source: Path, *, name: str, origin: str, sha256: str, code: str, reason: str,
        at: datetime, document_id: int | None = None) -> QuarantineEntry:
    """Copy ``source`` into quarantine as ``name`` with its reason; idempotent for the same bytes."""
    root.mkdir(parents=True, exist_ok=True)
    stem = f"{sha256[:12]}-{_safe_name(name)}"
    target = root / stem
    if not target.exists():
        temp = root / f".{stem}.tmp"
        shutil.copyfile(source, temp)
        with temp.open("rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temp, target)
    reason_file = write_reason(target, {"Fichier": origin, "Empreinte SHA-256": sha256,
                                        "Date": f"{at.isoformat(timespec='seconds')} UTC", "Code": code,
                                        "Motif": reason, "Document": document_id})
    return QuarantineEntry(target, reason_file)


def write_reason(beside: Path, fields: dict[str, object]) -> Path:
    """The reason file a person reads next to a refused or set-aside file (empty fields left out)."""
    reason_file = beside.with_name(beside.name + REASON_SUFFIX)
    lines = [f"{label} : {value}" for label, value in fields.items() if value not in (None, "")]
    reason_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return reason_file
