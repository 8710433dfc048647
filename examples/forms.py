"""A filled-in municipal form as it comes out of the scanner: labels, boxes and ticked options."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from .render import FONT_DIR

LABEL_FONT = FONT_DIR / "dejavu/DejaVuSans.ttf"
TITLE_FONT = FONT_DIR / "dejavu/DejaVuSans-Bold.ttf"
FILLED_FONT = FONT_DIR / "liberation/LiberationSerif-Italic.ttf"

TITLE = ("MAIRIE DE SAINT-HERBLAIN — SERVICE DES AFFAIRES SCOLAIRES",
         "DEMANDE D'INSCRIPTION SCOLAIRE ET PÉRISCOLAIRE — ANNÉE 2025-2026")
SECTIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("L'ENFANT", (("Nom", "BENALI"), ("Prénom", "Lina"), ("Date de naissance", "05/09/2020"),
                  ("École demandée", "École maternelle Jules Verne"), ("Niveau", "Moyenne section"))),
    ("RESPONSABLE LÉGAL", (("Nom et prénom", "Aïcha BENALI"),
                           ("Adresse", "3 impasse des Mésanges, 44800 Saint-Herblain"),
                           ("Téléphone", "06 98 76 54 32"), ("Courriel", "aicha.benali@exemple.fr"))),
)
OPTIONS = (("Restauration scolaire (cantine)", True), ("Garderie du matin", True), ("Étude surveillée", False))


def render_form(dpi: int = 300) -> Image.Image:
    """The enrolment form of the sample mail, filled in, as a clean grayscale A4 raster."""
    mm = dpi / 25.4
    image = Image.new("L", (round(210 * mm), round(297 * mm)), 255)
    draw = ImageDraw.Draw(image)
    size = round(10 * dpi / 72)
    title, label, filled = (ImageFont.truetype(str(p), size) for p in (TITLE_FONT, LABEL_FONT, FILLED_FONT))
    y = 20 * mm
    for line in TITLE:
        draw.text((15 * mm, y), line, font=title, fill=0)
        y += 8 * mm
    for heading, fields in SECTIONS:
        y += 6 * mm
        draw.rectangle((15 * mm, y, 195 * mm, y + 8 * mm), fill=225)
        draw.text((17 * mm, y + 1.5 * mm), heading, font=title, fill=0)
        y += 12 * mm
        for name, value in fields:
            draw.text((17 * mm, y), f"{name} :", font=label, fill=0)
            draw.line((70 * mm, y + 6 * mm, 193 * mm, y + 6 * mm), fill=90, width=max(1, round(mm / 5)))
            draw.text((72 * mm, y - 0.5 * mm), value, font=filled, fill=30)
            y += 10 * mm
    y += 6 * mm
    draw.rectangle((15 * mm, y, 195 * mm, y + 8 * mm), fill=225)
    draw.text((17 * mm, y + 1.5 * mm), "PRESTATIONS PÉRISCOLAIRES SOUHAITÉES", font=title, fill=0)
    y += 12 * mm
    for option, ticked in OPTIONS:
        box = (17 * mm, y, 22 * mm, y + 5 * mm)
        draw.rectangle(box, outline=0, width=max(1, round(mm / 4)))
        if ticked:
            draw.line((box[0], box[1], box[2], box[3]), fill=20, width=round(mm / 2))
            draw.line((box[0], box[3], box[2], box[1]), fill=20, width=round(mm / 2))
        draw.text((25 * mm, y - 0.5 * mm), option, font=label, fill=0)
        y += 9 * mm
    y += 10 * mm
    draw.text((17 * mm, y), "Fait à", font=label, fill=0)
    draw.text((32 * mm, y - 0.5 * mm), "Saint-Herblain, le 2 juin 2025", font=filled, fill=30)
    draw.text((130 * mm, y), "Signature :", font=label, fill=0)
    return image
