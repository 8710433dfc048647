"""The attestation of digitisation (attestation de numérisation) of one scan batch, in French.

What décret 2016-1673 and NF Z42-026 ask a fidelity copy to be able to show: who scanned, when, with
which settings (as read from the files), the fingerprint of every copy, a timestamp by a third
party over the whole, and a quality control. The page says what the files and the timestamp prove;
what they cannot prove (the operator's training, the scanner's calibration, the check of each page
against its original) is listed as the commune's part, so no reader mistakes one for the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .typesetting import build_a4, french_date, grid_table, paragraph, styles


@dataclass(frozen=True)
class FileLine:
    document: str
    """``n° 42 — courrier.pdf``."""
    pages: int
    settings: str
    """``300 dpi, niveaux de gris, JPEG``."""
    sha256: str


@dataclass(frozen=True)
class Control:
    pages: int
    blank: Sequence[str]
    """``n° 42 p. 2``."""
    low_resolution: Sequence[str]
    min_dpi: int
    refused: Sequence[str]
    """Files of the batch that were not stored as documents (and why)."""


@dataclass(frozen=True)
class ScanAttestation:
    commune: str
    batch: int
    origin: str
    operator: str
    taken_at: datetime
    manifest_sha256: str
    timestamped_at: datetime
    tsa: str
    files: Sequence[FileLine]
    control: Control


def _listing(items: Sequence[str], none: str) -> str:
    return ", ".join(items) if items else none


def attestation_pdf(attestation: ScanAttestation) -> bytes:
    """The attestation as an A4 PDF (fonts embedded); the caller makes it PDF/A."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    style = styles()
    control = attestation.control
    story: list[Any] = [
        paragraph(attestation.commune, style["bold"]), Spacer(1, 6 * mm),
        paragraph(f"Attestation de numérisation — lot n° {attestation.batch}", style["title"]),
        paragraph(f"Le lot de {len(attestation.files)} document(s) et {control.pages} page(s) décrit ci-dessous a "
                  f"été numérisé et déposé par {attestation.operator} ({attestation.origin}) le "
                  f"{french_date(attestation.taken_at)} à {attestation.taken_at:%H:%M} UTC, et enregistré dans la "
                  "GED de la commune, chaque fichier sous l'empreinte SHA-256 indiquée.", style["body"]),
        paragraph(f"Le manifeste du lot (empreinte SHA-256 {attestation.manifest_sha256}) a été horodaté le "
                  f"{french_date(attestation.timestamped_at)} à {attestation.timestamped_at:%H:%M:%S} UTC par "
                  f"l'autorité d'horodatage « {attestation.tsa} » (jeton RFC 3161 conservé avec le lot).",
                  style["body"]),
        Spacer(1, 3 * mm), paragraph("Fichiers et paramètres de numérisation (lus dans les fichiers)", style["bold"]),
        grid_table(["Document", "Pages", "Paramètres", "Empreinte SHA-256"],
                   [(f.document, str(f.pages), f.settings, f.sha256) for f in attestation.files],
                   (50, 13, 42, 75), style),
        Spacer(1, 5 * mm), paragraph("Contrôle qualité", style["bold"]),
        paragraph(f"Pages comptées : {control.pages}.", style["body"]),
        paragraph(f"Pages blanches détectées : {_listing(control.blank, 'aucune')}.", style["body"]),
        paragraph(f"Pages sous la résolution minimale de {control.min_dpi} dpi : "
                  f"{_listing(control.low_resolution, 'aucune')}.", style["body"]),
        paragraph(f"Fichiers du lot non enregistrés : {_listing(control.refused, 'aucun')}.", style["body"]),
        Spacer(1, 5 * mm), paragraph("Ce que la commune atteste par ailleurs (NF Z42-026)", style["bold"]),
        paragraph("Cette attestation prouve l'intégrité des copies depuis leur dépôt, leur date et les paramètres "
                  "lus dans les fichiers. Il revient à la commune, avant toute destruction des originaux papier, "
                  "de tenir sa procédure de numérisation écrite, de former et désigner les opérateurs, de "
                  "contrôler la fidélité de chaque copie à son original (lisibilité, pages manquantes ou "
                  "coupées) et de consigner ce contrôle, et d'obtenir le visa des Archives départementales "
                  "pour les archives publiques.", style["small"]),
    ]
    return build_a4(f"Attestation de numérisation — lot {attestation.batch}", story, author=attestation.commune)
