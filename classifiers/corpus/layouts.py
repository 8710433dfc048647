"""How a content is laid out as text: a typed letter, a handwritten note, a form, a printed e-mail, an invoice."""

from __future__ import annotations

from random import Random

from . import people, vocab
from .content import Content


def typed_letter(c: Content, r: Random) -> str:
    sender = [c.organisation] if c.organisation else [c.sender.formal]
    sender += [c.sender.street, f"{c.sender.postcode} {c.sender.town}",
               r.choice((f"Tél. {c.sender.phone}", c.sender.email, ""))]
    when = people.written(people.day(r), r)
    greeting = r.choice(("Madame, Monsieur,", "Monsieur le Maire,", "Madame la Maire,", "Mesdames, Messieurs,"))
    closing = r.choice(("Je vous prie d'agréer, Madame, Monsieur, l'expression de mes salutations distinguées.",
                        "Veuillez recevoir, Monsieur le Maire, mes respectueuses salutations.",
                        "Dans l'attente de votre réponse, je vous prie de croire à ma considération distinguée."))
    lines = [*filter(None, sender), *vocab.COMMUNE, f"{c.sender.town}, le {when}", f"Objet : {c.subject}",
             greeting, *c.body, closing, c.sender.name]
    return "\n".join(lines)


def handwritten_note(c: Content, r: Random) -> str:
    """Short, informal, little punctuation: what a note written by hand reads like once OCR'd."""
    body = " ".join(c.body[:2]).replace("Je vous prie de bien vouloir", "pouvez-vous")
    body = body.replace("Je souhaite", "je voudrais")
    lines = [c.sender.name, c.sender.street, f"{c.sender.postcode} {c.sender.town}",
             r.choice(("Bonjour,", "Monsieur le maire", "Madame, Monsieur", "")), body,
             r.choice(("Merci d'avance", "Cordialement", "Merci", "")), c.sender.first]
    text = "\n".join(line for line in lines if line)
    return text.lower() if r.random() < 0.4 else text


def form(c: Content, r: Random) -> str:
    if not c.form:
        return typed_letter(c, r)
    lines = [vocab.COMMUNE[0].upper(), c.form_title or c.subject.upper()]
    lines += [f"{label} : {value}" for label, value in c.form]
    lines += [f"Fait à {c.sender.town}, le {people.written(people.day(r), r)}", "Signature :"]
    return "\n".join(lines)


def printed_email(c: Content, r: Random) -> str:
    sent = people.day(r)
    header = [f"De : {c.sender.name} <{c.sender.email}>",
              f"Envoyé : {r.choice(('lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi'))} {people.written(sent, r)} "
              f"{r.randint(7, 22):02d}:{r.randint(0, 59):02d}",
              f"À : {r.choice(('accueil', 'mairie', 'contact', 'services.techniques'))}@saint-herblain.fr",
              f"Objet : {r.choice(('', 'RE: ', 'TR: '))}{c.subject}"]
    return "\n".join([*header, r.choice(("Bonjour,", "Madame, Monsieur,")), *c.body, "Cordialement,",
                      c.sender.name, c.sender.phone])


def invoice(c: Content, r: Random) -> str:
    header = [c.organisation or c.sender.name, c.sender.street, f"{c.sender.postcode} {c.sender.town}",
              "FACTURE", f"Client : {vocab.COMMUNE[0]}", f"Date : {people.written(people.day(r), r)}",
              c.subject]
    return "\n".join([*header, *c.body])


LAYOUTS = {"lettre": typed_letter, "manuscrit": handwritten_note, "formulaire": form, "courriel": printed_email,
           "facture": invoice}
