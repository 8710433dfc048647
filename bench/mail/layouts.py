"""How a piece of mail is put on paper: letters, e-mails, forms, invoices and quotes.

Each layout draws onto a ``Sheet`` and picks its own variations (where the sender block
stands, how the subject is announced, label left of or above its box) from the random
generator, so that no two specimens of a type share one template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from random import Random

from .pools import MAIRIE
from .sheet import TYPED, Sheet


@dataclass
class Letter:
    sender: list[str]
    """The sender's block as written (name, street, postcode and town, contact lines)."""
    place_date: str
    subject: str | None
    body: list[str]
    signature: str
    greeting: str = "Madame, Monsieur,"
    closing: str = "Veuillez agréer, Madame, Monsieur, mes salutations distinguées."
    letterhead: str | None = None
    """An organisation's name printed big at the top (companies, associations, the prefecture)."""
    reference: str | None = None
    recipient: Sequence[str] = MAIRIE


def letter(sheet: Sheet, item: Letter, r: Random, *, hand: str | None = None) -> None:
    font = hand or r.choice(TYPED)
    size = 13.0 if hand else r.choice((10.0, 10.5, 11.0))
    lead = size * 0.55
    if item.letterhead:
        sheet.text(105, 18, item.letterhead, font="sans-bold" if not hand else font, size=15, align="center")
        sheet.rule(20, 22, 190, 22, line=1.0)
        top = 30.0
    else:
        top = 20.0
    sender_x, recipient_x = (20, 115) if r.random() < 0.75 or hand else (120, 20)
    y = top
    for line in item.sender:
        sheet.text(sender_x, y, line, font=font, size=size)
        y += lead
    y = max(y + 8, top + 32) if sender_x == 20 else top + 40
    for line in item.recipient:
        sheet.text(recipient_x if sender_x == 20 else 20, y, line, font=font, size=size)
        y += lead
    y += 6
    sheet.text(115 if r.random() < 0.7 else 20, y, item.place_date, font=font, size=size)
    y += 12
    if item.reference:
        sheet.text(20, y, item.reference, font=font, size=size)
        y += lead + 1
    if item.subject:
        announce = r.choice(("Objet : ", "Objet : ", "OBJET : ", "Objet: ", "Concerne : ", "")) if not hand else ""
        sheet.text(20, y, announce + item.subject, font=font if hand or announce else "arial-bold", size=size)
        y += 12
    sheet.y = y
    width = 165 if not hand else 160
    for paragraph in (item.greeting, *item.body, item.closing):
        sheet.paragraph(20 if not hand else 24, paragraph, width=width, font=font, size=size, leading=lead + 1,
                        after=3.5)
    sheet.y += 6
    sheet.paragraph(120, item.signature, width=70, font=hand or r.choice(("hand-dkg", "hand-femke", font)),
                    size=size + 1, leading=lead + 1)


def email(sheet: Sheet, *, sender: str, address: str, sent: str, subject: str, body: Sequence[str],
          r: Random) -> None:
    """A message printed from a webmail: headers, then the text."""
    font = r.choice(("arial", "sans", "condensed"))
    sheet.text(20, 15, r.choice(("Messagerie - Mairie de Rochefort", "Zimbra Collaboration", "Outlook Web App")),
               font=font, size=8, grey=0.4)
    sheet.rule(20, 18, 190, 18)
    rows = [("De :", f"{sender} <{address}>"), ("Envoyé :", sent),
            ("À :", r.choice(("accueil@rochefort-sur-loire.fr", "mairie@rochefort-sur-loire.fr"))),
            ("Objet :", subject)]
    y = 27.0
    for label, value in rows:
        sheet.text(20, y, label, font="arial-bold", size=9.5)
        sheet.text(42, y, value, font=font, size=9.5)
        y += 5.5
    sheet.rule(20, y, 190, y)
    sheet.y = y + 9
    for paragraph in body:
        sheet.paragraph(20, paragraph, width=168, font=font, size=10, leading=5.0)


@dataclass
class FormField:
    label: str
    value: str
    comb: int = 0
    """Number of comb boxes (0: a plain box)."""
    width: float = 0.0
    """Box width in mm (0: to the right margin)."""


@dataclass
class Checks:
    label: str
    options: list[tuple[str, bool]]


@dataclass
class FormSection:
    title: str
    rows: list[FormField | Checks] = field(default_factory=list)


def form(sheet: Sheet, *, header: Sequence[str], title: str, sections: Sequence[FormSection], r: Random,
         hand: str | None = None, footer: Sequence[str] = ()) -> None:
    """A boxed form; values typed (``hand`` None) or written by hand in ``hand``'s font."""
    label_font = r.choice(("arial", "sans", "condensed"))
    value_font = hand or r.choice(("mono", "arial", "serif"))
    value_size = 12.5 if hand else 10.5
    above = r.random() < 0.4  # label above its box rather than left of it
    y = 15.0
    for line in header:
        sheet.text(20, y, line, font=label_font, size=8.5)
        y += 4.2
    y += 3
    sheet.rect(20, y, 170, 10, fill=0.88)
    sheet.text(105, y + 6.8, title, font="arial-bold", size=11.5, align="center")
    y += 16
    for section in sections:
        if y > 255:
            sheet.new_page()
            y = 20.0
        sheet.text(20, y, section.title, font="arial-bold", size=10)
        sheet.rule(20, y + 1.5, 190, y + 1.5, line=0.8)
        y += 8
        for row in section.rows:
            if y > 270:
                sheet.new_page()
                y = 20.0
            if isinstance(row, Checks):
                sheet.text(22, y, row.label, font=label_font, size=9.5)
                x = 22 + max(45.0, sheet.width(row.label, font=label_font, size=9.5) + 4)
                for option, ticked in row.options:
                    span = sheet.width(option, font=label_font, size=9.5) + 12
                    if x + span > 190:
                        x, y = 67.0, y + 6.5
                    sheet.checkbox(x, y, ticked, option, font=label_font, hand=hand is not None)
                    x += span
                y += 8
                continue
            label = row.label + ("" if above else " :")
            if above:
                sheet.text(22, y, label, font=label_font, size=8.5)
                y += 5.5
                x = 22.0
            else:
                sheet.text(22, y, label, font=label_font, size=9.5)
                x = 22 + max(42.0, sheet.width(label, font=label_font, size=9.5) + 3)
            if row.comb:
                sheet.comb(x, y, row.value, row.comb, font=value_font if hand else "mono",
                           size=value_size if hand else 11)
            else:
                width = row.width or (188 - x)
                sheet.rect(x, y - 4.5, width, 6.5, line=0.4)
                sheet.text(x + 1.5, y, row.value, font=value_font, size=value_size)
            y += 9.5
        y += 3
    for line in footer:
        sheet.text(20, y, line, font=label_font, size=8)
        y += 4.2
    sheet.y = y


@dataclass
class InvoiceLine:
    label: str
    quantity: int
    unit_price: float
    rate: float
    """VAT rate in percent."""

    @property
    def total(self) -> float:
        return round(self.quantity * self.unit_price, 2)


def invoice(sheet: Sheet, *, kind: str, supplier: Sequence[str], number: str, issued: str, due: str | None,
            lines: Sequence[InvoiceLine], siret: str, iban: str | None, r: Random, notes: Sequence[str] = (),
            amount: callable) -> None:  # type: ignore[valid-type]
    """An invoice or a quote: a table of lines, totals per VAT rate, payment terms."""
    font = r.choice(("arial", "sans", "narrow", "serif"))
    sheet.text(20, 20, supplier[0], font="arial-bold", size=14)
    y = 26.0
    for line in supplier[1:]:
        sheet.text(20, y, line, font=font, size=9)
        y += 4.5
    sheet.text(190, 22, kind.upper(), font="arial-bold", size=18, align="right")
    label = "Facture n°" if kind == "facture" else "Devis n°"
    sheet.text(190, 30, f"{label} {number}", font=font, size=10, align="right")
    sheet.text(190, 35, f"Date : {issued}", font=font, size=10, align="right")
    client_y = 55.0
    sheet.text(115, client_y - 5, "Client :" if r.random() < 0.5 else "Facturé à :", font=font, size=8.5, grey=0.3)
    for index, line in enumerate(MAIRIE):
        sheet.text(115, client_y + index * 5, line, font=font, size=10)
    y = 85.0
    columns = (20, 110, 130, 152, 170)
    heads = ("Désignation", "Qté", "P.U. HT", "TVA", "Total HT")

    def head(at: float) -> None:
        sheet.rect(20, at - 4.5, 170, 7, fill=0.9, stroke=False)
        for x, text in zip(columns, heads, strict=True):
            sheet.text(x + 1, at, text, font="arial-bold", size=9)

    head(y)
    y += 8
    for line in lines:
        if y > 250:
            sheet.text(190, 285, "Suite page suivante", font=font, size=8, align="right")
            sheet.new_page()
            y = 25.0
            head(y)
            y += 8
        sheet.text(21, y, line.label, font=font, size=9)
        sheet.text(125, y, str(line.quantity), font=font, size=9, align="right")
        sheet.text(149, y, amount(line.unit_price, euro=False), font=font, size=9, align="right")
        sheet.text(167, y, f"{line.rate:g} %".replace(".", ","), font=font, size=9, align="right")
        sheet.text(189, y, amount(line.total, euro=False), font=font, size=9, align="right")
        y += 6
    if y > 215:
        sheet.new_page()
        y = 25.0
    y += 4
    sheet.rule(110, y - 3, 190, y - 3)
    by_rate: dict[float, float] = {}
    for line in lines:
        by_rate[line.rate] = by_rate.get(line.rate, 0.0) + line.total
    ht = round(sum(by_rate.values()), 2)
    tva = round(sum(round(base * rate / 100, 2) for rate, base in by_rate.items()), 2)
    rows = [("Total HT", amount(ht))]
    if len(by_rate) > 1:
        for rate, base in sorted(by_rate.items()):
            rows.append((f"TVA {rate:g} % sur {amount(base, euro=False)}".replace(".", ","),
                         amount(round(base * rate / 100, 2))))
        rows.append(("Total TVA", amount(tva)))
    else:
        rate = next(iter(by_rate))
        rows.append((f"TVA {rate:g} %".replace(".", ","), amount(tva)))
    rows.append(("Total TTC" if kind == "facture" or r.random() < 0.5 else "Montant TTC", amount(round(ht + tva, 2))))
    if kind == "facture" and r.random() < 0.5:
        rows.append(("Net à payer", amount(round(ht + tva, 2))))
    for label, value in rows:
        sheet.text(112, y, label, font="arial-bold" if "TTC" in label or "Net" in label else font, size=9.5)
        sheet.text(189, y, value, font=font, size=9.5, align="right")
        y += 5.5
    y += 6
    if due:
        sheet.text(20, y, due, font=font, size=9.5)
        y += 5.5
    if iban:
        sheet.text(20, y, f"Règlement par virement — IBAN : {iban}", font=font, size=9)
        y += 5
    for note in notes:
        sheet.text(20, y, note, font=font, size=9)
        y += 5
    sheet.text(105, 285, f"SIRET {siret} — TVA intracommunautaire FR{r.randint(10, 99)}{siret[:9]}", font=font,
               size=7.5, align="center", grey=0.3)
