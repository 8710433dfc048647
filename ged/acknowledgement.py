"""The accusé de réception of a request: a French PDF letter and the same text as an e-mail.

What it must say comes from the Code des relations entre le public et l'administration
(L112-3, R112-5): the date of receipt, the service in charge with its address, telephone and
e-mail, the deadline at the end of which silence means acceptance or rejection, and then
either the right to an attestation of implicit acceptance (L232-3) or the means and delays
of recourse against an implicit rejection. The letter and the e-mail are built from the
same paragraphs so that they can never disagree.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from archivage.typesetting import french_date, paragraph, styles

from .taxonomy import CommuneSettings, ServiceSettings


@dataclass(frozen=True)
class Acknowledgement:
    number: str
    type_label: str
    requester: str | None
    requester_address: str | None
    received_on: date
    issued_on: date
    due_on: date | None
    basis: str
    silence: str
    silence_on: date | None
    service: ServiceSettings
    commune: CommuneSettings

    @property
    def subject(self) -> str:
        return f"Accusé de réception de votre demande n° {self.number}"

    def paragraphs(self) -> list[str]:
        received = french_date(self.received_on)
        lines = [
            "Madame, Monsieur,",
            f"Votre demande ({self.type_label.lower()}) a été reçue le {received}. Elle est enregistrée sous le "
            f"numéro {self.number}, à rappeler dans toute correspondance.",
            f"Elle est instruite par le service {self.service.label} ({self.commune.name}"
            f"{', ' + self.service.address if self.service.address else ', ' + self.commune.address})"
            f"{', téléphone ' + self.service.phone if self.service.phone else ''}"
            f"{', courriel ' + self.service.email if self.service.email else ''}.",
        ]
        lines.append(self._deadline_paragraph())
        lines += self._consequence_paragraphs()
        lines.append("Si votre dossier est incomplet, le service vous indiquera dans les meilleurs délais les pièces "
                     "manquantes et le délai pour les fournir ; le délai ci-dessus ne court qu'à compter de la "
                     "réception de ces pièces (article L114-5 du code des relations entre le public et "
                     "l'administration).")
        lines.append("Veuillez agréer, Madame, Monsieur, l'expression de nos salutations distinguées.")
        return lines

    def _deadline_paragraph(self) -> str:
        if self.silence == "sans_objet":
            if self.due_on is None:
                return "Votre courrier sera traité dans les meilleurs délais."
            return (f"Votre demande sera traitée au plus tard le {french_date(self.due_on)} ({self.basis}). "
                    "Elle n'appelle pas de décision administrative : l'absence de réponse à cette date ne vaut "
                    "ni acceptation ni rejet.")
        assert self.silence_on is not None
        meaning = "d'acceptation" if self.silence == "acceptation" else "de rejet"
        text = (f"À défaut de décision expresse au {french_date(self.silence_on)}, votre demande sera réputée "
                f"faire l'objet d'une décision implicite {meaning}.")
        if self.due_on and self.due_on != self.silence_on:
            return text + f" Le service s'engage à la traiter avant le {french_date(self.due_on)} ({self.basis})."
        return text + f" Délai applicable : {self.basis}."

    def _consequence_paragraphs(self) -> list[str]:
        if self.silence == "acceptation":
            return ["En cas de décision implicite d'acceptation, vous pourrez demander au service une attestation "
                    "de cette décision (article L232-3 du code des relations entre le public et l'administration)."]
        if self.silence == "rejet":
            return ["Une décision implicite de rejet peut faire l'objet, dans un délai de deux mois, d'un recours "
                    f"gracieux auprès du maire ou d'un recours contentieux devant le {self.commune.tribunal} "
                    "(y compris par l'application Télérecours citoyens, www.telerecours.fr). Vous pouvez demander "
                    "la communication des motifs de cette décision dans le délai de recours (article L232-4)."]
        return []

    def email_text(self) -> str:
        header = [f"Objet : {self.subject}", ""]
        signature = ["", f"{self.service.label} — {self.commune.name}", self.commune.address]
        return "\n\n".join(header[:1] + self.paragraphs()) + "\n" + "\n".join(signature) + "\n"

    def pdf(self) -> bytes:
        """The letter as an A4 PDF with embedded DejaVu fonts."""
        from reportlab.lib.pagesizes import A4
        from reportlab.lib.units import mm
        from reportlab.platypus import SimpleDocTemplate, Spacer

        style = styles()
        buffer = io.BytesIO()
        document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm,
                                     bottomMargin=20 * mm, title=self.subject, author=self.commune.name,
                                     lang="fr-FR")
        story = [paragraph(self.commune.name, style["bold"]), paragraph(self.service.label, style["body"]),
                 paragraph(self.commune.address, style["body"]), Spacer(1, 8 * mm)]
        recipient = [self.requester or "", self.requester_address or ""]
        story += [paragraph(line, style["right"]) for line in recipient if line]
        story += [Spacer(1, 6 * mm), paragraph(f"Le {french_date(self.issued_on)}", style["right"]),
                  Spacer(1, 6 * mm), paragraph(f"Objet : {self.subject}", style["bold"]), Spacer(1, 4 * mm)]
        story += [paragraph(text, style["body"]) for text in self.paragraphs()]
        story += [Spacer(1, 8 * mm), paragraph(f"Pour le maire, le service {self.service.label}", style["right"])]
        document.build(story)
        return buffer.getvalue()
