"""Checks across fields: what one value says about another.

An invoice's totals must add up: HT + TVA = TTC. OCR that misreads one digit of one total
("1 284,00" for "1 234,00") leaves the other two right, and they tell the third; a value
that disagrees by more than one digit is not corrected, only its confidence lowered, so that
a person looks at it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .extract import ExtractedField

_TOTALS = ("montant_ht", "montant_tva", "montant_ttc")
_DOUBT = 0.5
"""Confidence factor for totals that do not add up and cannot be mended."""


def one_digit_apart(a: str, b: str) -> bool:
    """Same length, one character different: what one misread digit does."""
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1


def reconcile_totals(fields: Sequence[ExtractedField]) -> list[ExtractedField]:
    """Invoice totals made consistent: a total one digit away from what the two others give is
    corrected (method ``calcul``); a missing one is computed from the other two; totals that
    disagree otherwise keep their values with a lowered confidence."""
    by_code = {f.code: f for f in fields}
    read = {code: Decimal(str(by_code[code].value)) for code in _TOTALS if code in by_code}
    if len(read) < 2:
        return list(fields)
    expected = {
        "montant_ht": lambda v: v.get("montant_ttc", 0) - v.get("montant_tva", 0),
        "montant_tva": lambda v: v.get("montant_ttc", 0) - v.get("montant_ht", 0),
        "montant_ttc": lambda v: v.get("montant_ht", 0) + v.get("montant_tva", 0),
    }
    if len(read) == 2:
        [missing] = [code for code in _TOTALS if code not in read]
        value = expected[missing](read)
        if value <= 0:
            return list(fields)
        basis = min((by_code[c] for c in read), key=lambda f: f.confidence)
        return [*fields, replace(basis, code=missing, value=f"{value:.2f}", method="calcul", box=None,
                                 confidence=round(basis.confidence * 0.9, 3))]
    if read["montant_ht"] + read["montant_tva"] == read["montant_ttc"]:
        return list(fields)
    for code in sorted(_TOTALS, key=lambda c: by_code[c].confidence):  # the least sure reading first
        others = {c: v for c, v in read.items() if c != code}
        value = expected[code](others)
        if value > 0 and one_digit_apart(f"{value:.2f}", f"{read[code]:.2f}"):
            mended = replace(by_code[code], value=f"{value:.2f}", method="calcul")
            return [mended if f.code == code else f for f in fields]
    return [replace(f, confidence=round(f.confidence * _DOUBT, 3)) if f.code in _TOTALS else f for f in fields]
