"""Filled PDF forms (AcroForm, e.g. an electronically filled Cerfa): their field values, read directly.

A value typed into a form field is exact; reading it beats recognising its printed image.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf


def read_form_fields(path: Path) -> dict[str, str]:
    """Non-empty text and choice fields by their full name and by their tooltip (``/TU``) when set.

    Returns an empty mapping for a PDF without a form, or for anything pikepdf cannot open
    (intake has already refused unreadable files; this is a best effort on top of the text).
    """
    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PdfError, OSError, ValueError):
        return {}
    with pdf:
        if "/AcroForm" not in pdf.Root:
            return {}
        values: dict[str, str] = {}
        for field in pdf.Root.AcroForm.get("/Fields", []):
            _collect(field, "", values)
        return values


def _collect(field: pikepdf.Object, parent: str, values: dict[str, str]) -> None:
    partial = str(field.get("/T", ""))
    name = f"{parent}.{partial}" if parent and partial else partial or parent
    for kid in field.get("/Kids", []):
        if "/T" in kid:
            _collect(kid, name, values)
    value = field.get("/V")
    if value is None or isinstance(value, pikepdf.Dictionary | pikepdf.Array):
        return
    text = str(value).lstrip("/") if isinstance(value, pikepdf.Name) else str(value)
    if not text.strip() or text in ("Off",):
        return
    values[name] = text
    tooltip = field.get("/TU")
    if tooltip is not None and str(tooltip).strip():
        values.setdefault(str(tooltip), text)
