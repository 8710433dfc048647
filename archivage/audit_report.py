"""The audit report for the archivist and the Archives départementales (declared PDF/A-2b by the core).

What an auditor asks of an electronic archiving system (NF Z42-013 / ISO 14641) over a period:
is the journal whole (its head, its length, its seals and their timestamp authority), were the
stored files found intact, what went wrong (incidents), and what was eliminated or transferred.
The core gathers the facts; this module only lays them out.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .typesetting import french_date, paragraph, styles


@dataclass(frozen=True)
class ReportSection:
    title: str
    intro: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    empty: str = "Rien sur la période."


@dataclass(frozen=True)
class AuditReport:
    commune: str
    period: tuple[date, date]
    generated_at: datetime
    generated_by: str
    verdict: str
    """One sentence: intact, or what is wrong."""
    facts: Sequence[tuple[str, str]]
    """The journal's head, length, seal log… as (label, value)."""
    sections: Sequence[ReportSection]


def _table(section: ReportSection, style: dict[str, Any]) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    rows = [[paragraph(h, style["small"]) for h in section.header]]
    rows += [[paragraph(cell, style["small"]) for cell in row] for row in section.rows]
    table = Table(rows, repeatRows=1)
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), "DejaVuSans"),  # PDF/A embeds every font used
                               ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def audit_report_pdf(report: AuditReport) -> bytes:
    """The report as a PDF with its fonts embedded, ready to be declared PDF/A by the caller."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    style = styles()
    first, last = report.period
    story: list[Any] = [
        paragraph(report.commune, style["bold"]), Spacer(1, 4 * mm),
        paragraph(f"Rapport d'audit du système d'archivage — du {french_date(first)} au {french_date(last)}",
                  style["title"]),
        paragraph(f"Établi le {french_date(report.generated_at)} à {report.generated_at:%H:%M} (UTC) par "
                  f"{report.generated_by}.", style["body"]),
        paragraph(report.verdict, style["bold"]), Spacer(1, 2 * mm)]
    story += [paragraph(f"{label} : {value}", style["body"]) for label, value in report.facts]
    for section in report.sections:
        story += [Spacer(1, 5 * mm), paragraph(section.title, style["bold"]), paragraph(section.intro, style["body"])]
        story.append(_table(section, style) if section.rows else paragraph(section.empty, style["body"]))
    title = f"Rapport d'audit {first:%d/%m/%Y} – {last:%d/%m/%Y}"
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                      bottomMargin=18 * mm, title=title, author=report.commune, lang="fr-FR",
                      initialFontName="DejaVuSans").build(story)  # not Helvetica: PDF/A embeds every font
    return buffer.getvalue()
