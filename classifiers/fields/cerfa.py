"""The official urbanism Cerfa forms: recognised by their number, read from their own field names.

A Cerfa filled on screen carries its values in AcroForm fields whose names are the form's
own (``D1N_nom``, ``T2S_section``…), the same across its versions 13406*06/07, 13703*06/07…;
each form gets its mapping here, because a field of the same name can mean another box on
another form (the created floor area is ``W2SB1`` on a PCMI and ``C7U_creee`` on a DPMI).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..text import collapse

Get = Callable[[str], str]


@dataclass(frozen=True)
class CerfaForm:
    number: str
    title: str
    nature: str
    """The urbanism nature it files (``PC``, ``DP``)."""
    surface_fields: tuple[str, ...]
    """AcroForm fields that hold the created floor area (surface de plancher créée), in preference order."""


FORMS: dict[str, CerfaForm] = {form.number: form for form in (
    CerfaForm("13406", "permis de construire une maison individuelle (PCMI)", "PC", ("W2SB1", "W2SF1")),
    CerfaForm("13409", "permis de construire (PC)", "PC", ("W2SB1", "W2SF1")),
    CerfaForm("13703", "déclaration préalable, maison individuelle (DPMI)", "DP", ("C7U_creee", "C7A_surface")),
    CerfaForm("13404", "déclaration préalable (DP)", "DP", ("C7U_creee", "C7A_surface")),
)}
_NUMBER = re.compile(r"\b(?P<number>1340[469]|13703)\s*\*\s*(?P<version>\d{2})\b")


def identify(text: str, form_fields: Mapping[str, str]) -> CerfaForm | None:
    """The Cerfa a document is, by its ``N1N_numero`` field or the ``N° 13406*07`` printed on it."""
    number = _short(form_fields).get("N1N_numero", "")
    match = _NUMBER.search(number) or _NUMBER.search(text[:3000])
    return FORMS.get(match["number"]) if match else None


def _short(form_fields: Mapping[str, str]) -> dict[str, str]:
    """Fields by their short name (``topmostSubform[0].Page2[0].D1N_nom[0]`` → ``D1N_nom``)."""
    short: dict[str, str] = {}
    for name, value in form_fields.items():
        key = re.sub(r"\[\d+\]$", "", name.rsplit(".", 1)[-1])
        if value and value != "Off":
            short.setdefault(key, value)
    return short


def read_fields(form: CerfaForm, form_fields: Mapping[str, str]) -> dict[str, str]:
    """Urbanism field codes → raw values as the applicant typed them (normalised by the caller)."""
    get = _short(form_fields).get
    values: dict[str, str] = {"nature": form.nature}
    person = collapse(f"{get('D1P_prenom', '')} {get('D1N_nom', '')}")
    company = get("D2D_denomination", "")
    if person or company:
        values["demandeur_nom"] = person or company
    land = collapse(" ".join(get(k, "") for k in ("T2Q_numero", "T2V_voie", "T2W_lieudit", "T2C_code", "T2L_localite")))
    if land:
        values["adresse_terrain"] = land
    section, parcel = get("T2S_section", "").replace(" ", "").upper(), re.sub(r"\D", "", get("T2N_numero", ""))
    if section and parcel:
        values["reference_cadastrale"] = f"{section} {int(parcel):04d}"
    surface = next((get(k) for k in form.surface_fields if get(k) and get(k) != "0"), None)
    if surface:
        values["surface_plancher"] = surface
    return values
