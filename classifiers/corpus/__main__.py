"""Write the generated corpus as text files, one folder per type, for a person to read."""

from __future__ import annotations

import sys
from pathlib import Path

from . import generate


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    per_type = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    for index, sample in enumerate(generate(per_type, seed=1)):
        path = folder / sample.label / f"{index:05d}-{sample.layout}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sample.text, encoding="utf-8")
    print(f"{per_type} documents par type écrits dans {folder}")


if __name__ == "__main__":
    main()
