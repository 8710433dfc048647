"""Files the software ships and relies on (the default model, the SEDA schemas), with their fingerprints.

A swapped schema would let a malformed transfer through, a swapped model would type mail
differently: ``ged audit fixity`` compares them with this manifest, written when the package is
built (``python -m ged.artefacts``) and checked by a test against the files in the tree.
"""

from __future__ import annotations

import json
from pathlib import Path

from .blobs import file_sha256

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = Path(__file__).parent / "data" / "artefacts.json"
SHIPPED = ("ged/data/default-classifier.npz", "archivage/seda_xsd/*.xsd")


def shipped() -> list[Path]:
    return sorted(path for pattern in SHIPPED for path in ROOT.glob(pattern))


def fingerprints() -> dict[str, str]:
    return {path.relative_to(ROOT).as_posix(): file_sha256(path) for path in shipped()}


def problems() -> list[str]:
    """Each shipped artefact that is missing, changed or unlisted, said in French."""
    expected: dict[str, str] = json.loads(MANIFEST.read_text())
    actual = fingerprints()
    found = [f"{name} : absent de l'installation" for name in sorted(expected.keys() - actual.keys())]
    found += [f"{name} : modifié depuis la construction du paquet" for name in sorted(expected)
              if name in actual and actual[name] != expected[name]]
    found += [f"{name} : absent du manifeste" for name in sorted(actual.keys() - expected.keys())]
    return found


if __name__ == "__main__":  # python -m ged.artefacts: rewrites the manifest after a shipped file changed
    MANIFEST.write_text(json.dumps(fingerprints(), indent=1, sort_keys=True) + "\n")
    print(MANIFEST)
