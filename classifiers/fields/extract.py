"""Entry point of field extraction: a typed document's pages (and form fields) → its fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from ..numbering import find_references
from ..text import collapse, fold
from . import cerfa, checks
from .document import Box, DocumentText, PageText
from .finders import Candidate, Reader
from .specs import SPECS
from .streets import StreetList
from .values import (
    find_cadastral_references,
    find_contacts,
    find_dates,
    find_dossier_numbers,
    find_ibans,
    find_rnas,
    find_sirets,
    parse_amount,
    tidy_address,
)

Value = str | int | float | list[str]


@dataclass(frozen=True)
class ExtractedField:
    code: str
    value: Value
    confidence: float
    """0–1: how far the method is trusted, times the OCR confidence of the words read."""
    page: int | None = None
    box: Box | None = None
    """x0, y0, x1, y1 in points from the page's top-left corner."""
    method: str = "texte"
    """formulaire, texte, mots-clés, mise en page, champ PDF, or agent (a person's correction)."""

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "value": self.value, "confidence": round(self.confidence, 3),
                "page": self.page, "box": [round(v, 1) for v in self.box] if self.box else None,
                "method": self.method}


def field_codes(doc_type: str) -> tuple[str, ...]:
    """The fields of a type, in DOMAIN.md order (empty for an unknown type)."""
    spec = SPECS.get(doc_type)
    return tuple(spec.fields) if spec else ()


def extract_fields(doc_type: str, pages: Sequence[PageText], *, reference: date,
                   form_fields: Mapping[str, str] | None = None,
                   streets: StreetList | None = None) -> list[ExtractedField]:
    """Every field of the type found in the document; a filled PDF form's values win over the text.

    ``reference`` is the date the document was received: it completes dates written without
    a year and decides the century of two-digit years. ``streets``, the commune's street list,
    corrects the spelling of addresses in the commune (a reported place, the land of a permit).
    """
    spec = SPECS.get(doc_type)
    if spec is None:
        return []
    document = DocumentText(pages)
    from_form = _from_form_fields(tuple(spec.fields), form_fields or {}, reference)
    if doc_type == "urbanisme" and (form := cerfa.identify(document.text, form_fields or {})) is not None:
        from_form = _cerfa_fields(form, form_fields or {}, reference) | from_form
    reader = Reader(document, reference, spec.sections)
    fields: list[ExtractedField] = []
    for code, finder in spec.fields.items():
        if code in from_form:
            fields.append(from_form[code])
            continue
        candidate = finder(reader)
        if candidate is not None:
            fields.append(_field(code, candidate))
    if streets is not None and streets.names:
        fields = [_snapped(f, streets) if f.code in _IN_THE_COMMUNE else f for f in fields]
    return checks.reconcile_totals(fields) if doc_type == "facture" else fields


_IN_THE_COMMUNE = frozenset({"localisation", "adresse_terrain"})


def _snapped(found: ExtractedField, streets: StreetList) -> ExtractedField:
    official = streets.snap(str(found.value))
    if official is None or official == found.value:
        return found
    return replace(found, value=official, method=f"{found.method}, voie de la BAN")


_ADDRESSES = frozenset({"demandeur_adresse", "responsable_adresse", "adresse_terrain", "localisation"})


def _field(code: str, candidate: Candidate) -> ExtractedField:
    located = candidate.located
    ocr_confidence = located.confidence if located else 1.0
    value = candidate.value
    if code in _ADDRESSES and isinstance(value, str):
        value = tidy_address(value)
    return ExtractedField(code, value, round(candidate.trust * ocr_confidence, 3),
                          located.page if located else None, located.box if located else None, candidate.method)


def _from_form_fields(codes: tuple[str, ...], form_fields: Mapping[str, str],
                      reference: date) -> dict[str, ExtractedField]:
    """Form fields named by a field code, or whose name folds to it (``Titulaire nom`` → titulaire_nom)."""
    found: dict[str, ExtractedField] = {}
    for name, raw in form_fields.items():
        key = fold(name).replace(" ", "_").replace("-", "_")
        if key not in codes or key in found:
            continue
        value = normalise_value(key, raw, reference=reference)
        if value is not None:
            found[key] = ExtractedField(key, value, 0.99, None, None, "champ PDF")
    return found


def _cerfa_fields(form: cerfa.CerfaForm, form_fields: Mapping[str, str],
                 reference: date) -> dict[str, ExtractedField]:
    found: dict[str, ExtractedField] = {}
    for code, raw in cerfa.read_fields(form, form_fields).items():
        value = raw if code in ("nature", "reference_cadastrale") else normalise_value(code, raw, reference=reference)
        if value is not None:
            found[code] = ExtractedField(code, value, 0.99, None, None, f"Cerfa {form.number}")
    return found


_BY_KIND = (
    (("siret",), find_sirets), (("iban",), find_ibans), (("rna",), find_rnas), (("contact",), find_contacts),
    (("numero_dossier",), find_dossier_numbers), (("reference_cadastrale",), find_cadastral_references),
)


def normalise_value(code: str, raw: str, *, reference: date) -> Value | None:
    """A value typed by a person or a PDF form, in the field's normal form; None if it is not one.

    Identifiers must pass their checksum here too: a correction cannot bring in an invalid SIRET.
    """
    text = collapse(raw)
    if not text:
        return None
    if code.startswith("date_") or code.endswith("_date_naissance") or code == "date_evenement":
        return next((v for _, _, v in find_dates(text, reference=reference)), None)
    if code.startswith("montant_"):
        return parse_amount(text)
    if code == "surface_plancher":
        amount = parse_amount(text.lower().replace("m²", "").replace("m2", ""))
        return None if amount is None else (int(float(amount)) if float(amount).is_integer() else float(amount))
    if code == "nombre_exemplaires":
        return int(text) if text.isdigit() else None
    if code == "prestations":
        return [item.strip() for item in text.replace(";", ",").split(",") if item.strip()]
    if code == "reference_dossier":
        return next((v for _, _, v in find_references(text)), text)
    if code == "reference_cadastrale":
        text = f"section {text}"
    for codes, find in _BY_KIND:
        if code in codes:
            return next((v for _, _, v in find(text)), None)
    return text
