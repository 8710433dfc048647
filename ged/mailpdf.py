"""A received mail as a PDF document: its headers and its text, for the mail itself to be archived."""

from __future__ import annotations

import io

from archivage.typesetting import paragraph, styles


def mail_pdf(*, sender: str, recipients: str, date: str, subject: str, body: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate, Spacer

    style = styles()
    story = [paragraph(f"De : {sender}", style["body"]), paragraph(f"À : {recipients}", style["body"]),
             paragraph(f"Date : {date}", style["body"]), paragraph(f"Objet : {subject}", style["bold"]),
             Spacer(1, 5 * mm)]
    story += [paragraph(line, style["body"]) for line in body.splitlines() if line.strip()]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=20 * mm,
                      bottomMargin=20 * mm, title=subject or "Courriel", lang="fr-FR").build(story)
    return buffer.getvalue()
