"""Addresses snapped to the commune's own street list (BAN extract), against OCR slips.

"12 rue des Jonqui1les" is "12 rue des Jonquilles" when the commune has that street and no
other as close: the number and what follows the street (postcode, town) are kept, only the
street's name is replaced by its official spelling. rapidfuzz does the matching in C.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process, utils

MIN_SIMILARITY = 88
"""WRatio (0–100) a street name needs to be taken; an OCR slip of one or two letters scores 90+,
a different street of the same kind ("rue des Lilas" / "rue des Lys") under 85."""
_NUMBER = re.compile(r"^(?P<number>\d+\s*(?:bis|ter|quater|[a-d])?)[,\s]+(?P<rest>.+)$", re.IGNORECASE)
_TAIL = re.compile(r"(?P<tail>,?\s*\d{5}\b.*)$")


@dataclass(frozen=True)
class StreetList:
    names: tuple[str, ...] = ()
    """Official street names (``nom_voie`` of the BAN), e.g. ``Rue des Jonquilles``."""

    @cached_property
    def _choices(self) -> list[str]:
        return [utils.default_process(name) for name in self.names]

    def snap(self, address: str) -> str | None:
        """``address`` with its street named as the list names it; None when no street is close enough."""
        if not self.names:
            return None
        match = _NUMBER.match(address.strip())
        number, rest = (match["number"], match["rest"]) if match else ("", address.strip())
        tail_match = _TAIL.search(rest)
        tail = tail_match["tail"] if tail_match else ""
        street = rest[: len(rest) - len(tail)].strip(" ,")
        found = process.extractOne(utils.default_process(street), self._choices, scorer=fuzz.WRatio,
                                   score_cutoff=MIN_SIMILARITY, processor=None)
        if found is None:
            return None
        official = self.names[found[2]]
        if official.lower().startswith(street.lower()[:1]) and street[:1].islower():
            official = official[:1].lower() + official[1:]  # "rue des …" as the writer wrote the kind
        return " ".join(part for part in (number.strip(), official) if part) + tail


def parse_ban_csv(lines: Iterable[str], *, commune: str | None = None) -> list[str]:
    """Distinct street names of a BAN "adresses" CSV extract (``;``-separated, header with ``nom_voie``),
    optionally only those of one commune (INSEE code or name)."""
    import csv

    reader = csv.DictReader(lines, delimiter=";")
    if reader.fieldnames is None or "nom_voie" not in reader.fieldnames:
        raise ValueError("colonne « nom_voie » absente : ce n'est pas un extrait d'adresses de la BAN")
    names = {row["nom_voie"].strip() for row in reader if row.get("nom_voie") and (
        commune is None or commune in (row.get("code_insee"), row.get("nom_commune")))}
    return sorted(names)
