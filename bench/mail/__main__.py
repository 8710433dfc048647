"""``python -m bench.mail DIR [SCALE]``: writes the evaluation corpus to read or to ingest."""

import sys
from collections import Counter
from pathlib import Path

from . import build

entries = build(Path(sys.argv[1]), scale=float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
print(f"{len(entries)} documents:", dict(Counter(e.doc_type for e in entries)), dict(Counter(e.mode for e in entries)))
