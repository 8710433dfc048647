"""``python -m bench.mail DIR [SCALE]``: writes the development corpus (same generator, other seed) to read."""

import sys
from collections import Counter
from pathlib import Path

from . import DEV_SEED, build

# The development seed: the evaluation corpus is built by bench/recognition.py and not read by people.
entries = build(Path(sys.argv[1]), seed=DEV_SEED, scale=float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
print(f"{len(entries)} documents:", dict(Counter(e.doc_type for e in entries)), dict(Counter(e.mode for e in entries)))
