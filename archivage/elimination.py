"""The elimination documents in French: the bordereau d'élimination (submitted for visa) and the attestation.

The bordereau follows the model the Archives départementales expect: one line per family of
the tableau de gestion with its extreme dates, its DUA, its volume and observations, then a
visa area. The attestation repeats the lines, the visa reference and who destroyed what, when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .typesetting import build_a4, french_date, grid_table, paragraph, styles


@dataclass(frozen=True)
class Line:
    family: str
    first: date
    last: date
    """Extreme dates (dates extrêmes) of the records of this family."""
    dua_years: int | None
    documents: int
    pages: int
    size_bytes: int
    observations: str = ""

    @property
    def volume(self) -> str:
        return f"{self.documents} document(s), {self.pages} page(s), {self.size_bytes / 1e6:.2f} Mo (électronique)"


@dataclass(frozen=True)
class Bordereau:
    number: str
    commune: str
    service: str
    proposed_by: str
    proposed_at: datetime
    control_authority: str
    lines: Sequence[Line]


def _table(lines: Sequence[Line], style: dict[str, Any]) -> Any:
    header = ["Typologie documentaire", "Dates extrêmes", "DUA", "Volume", "Observations"]
    rows = [(line.family, f"{line.first:%d/%m/%Y} – {line.last:%d/%m/%Y}",
             "—" if line.dua_years is None else f"{line.dua_years} an(s)", line.volume, line.observations)
            for line in lines]
    return grid_table(header, rows, (45, 32, 15, 45, 33), style)


def bordereau_pdf(bordereau: Bordereau) -> bytes:
    """The elimination list to be signed by the control authority (visa, Code du patrimoine L212-2)."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    style = styles()
    total = sum(line.documents for line in bordereau.lines)
    story = [paragraph(bordereau.commune, style["bold"]), paragraph(bordereau.service, style["body"]),
             Spacer(1, 6 * mm), paragraph(f"Bordereau d'élimination n° {bordereau.number}", style["title"]),
             paragraph(f"Proposé le {french_date(bordereau.proposed_at)} par {bordereau.proposed_by}, pour le "
                       f"visa de : {bordereau.control_authority}.", style["body"]),
             paragraph(f"Les {total} document(s) ci-dessous ont atteint le terme de leur durée d'utilité "
                       "administrative et leur sort final prévoit l'élimination. Aucun n'est sous gel.",
                       style["body"]),
             Spacer(1, 3 * mm), _table(bordereau.lines, style), Spacer(1, 10 * mm),
             paragraph("Visa de l'autorité de contrôle scientifique et technique (Archives départementales)",
                       style["bold"]),
             paragraph("Date : ____________________    Référence du visa : ____________________", style["body"]),
             paragraph("Nom, qualité et signature :", style["body"]), Spacer(1, 25 * mm),
             paragraph("L'élimination ne peut être réalisée qu'après ce visa (article L212-2 du code du "
                       "patrimoine).", style["small"])]
    return build_a4(f"Bordereau d'élimination {bordereau.number}", story, author=bordereau.commune)


def attestation_pdf(bordereau: Bordereau, *, visa: str, visa_by: str, visa_at: datetime, executed_by: str,
                    executed_at: datetime, fingerprints: Sequence[tuple[str, str]]) -> bytes:
    """The certificate of destruction: what was destroyed, under which visa, by whom and when."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Spacer

    style = styles()
    story = [paragraph(bordereau.commune, style["bold"]), Spacer(1, 6 * mm),
             paragraph(f"Attestation d'élimination — bordereau n° {bordereau.number}", style["title"]),
             paragraph(f"Les documents décrits ci-dessous ont été détruits le {french_date(executed_at)} par "
                       f"{executed_by} : toutes leurs copies (original, copie PDF/A, copie signée, fichiers "
                       "dérivés) ont été supprimées du stockage et de l'index de recherche. Seule une notice "
                       "(empreintes, dates, type) en garde la trace.", style["body"]),
             paragraph(f"Visa de l'autorité de contrôle : {visa}, enregistré le {french_date(visa_at)} par "
                       f"{visa_by}.", style["body"]), Spacer(1, 3 * mm), _table(bordereau.lines, style),
             Spacer(1, 6 * mm), paragraph("Empreintes SHA-256 des originaux détruits :", style["bold"])]
    story += [paragraph(f"{unit} : {sha256}", style["small"]) for unit, sha256 in fingerprints]
    story += [Spacer(1, 10 * mm), paragraph("Fait pour servir et valoir ce que de droit.", style["body"])]
    return build_a4(f"Attestation d'élimination {bordereau.number}", story, author=bordereau.commune)
