"""``ged show`` and ``ged export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ged import labels
from ged.services import documents as document_service

from ..context import cli_actor, open_context
from ..output import console, print_json


def _bytes(size: int) -> str:
    return f"{size:,}".replace(",", "\u202f")


def show(
    document_id: Annotated[int, typer.Argument(metavar="ID", help="Numéro du document.")],
    json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
    text: Annotated[bool, typer.Option("--text/--no-text", help="Afficher le texte.")] = True,
) -> None:
    """Afficher un document : métadonnées, états, fichiers, pages, historique et texte."""
    with open_context() as ctx:
        view = document_service.show(ctx, document_id)
    if json_output:
        print_json(view.as_dict())
        return
    console.print(f"[bold]Document {view.id}[/] — {escape(view.filename)}")
    console.print(f"  État : [bold]{view.state_label}[/]" + (f" ({escape(view.reason)})" if view.reason else ""))
    console.print(f"  Reçu le {view.received_at:%d/%m/%Y à %H:%M} UTC depuis {escape(view.source_path or '?')}")
    console.print(f"  Type : {view.media_type or '?'}, {_bytes(view.size)} octets, {view.page_count or 0} page(s)")
    console.print(f"  Empreinte SHA-256 : {view.sha256}")
    if view.doc_type:
        confidence = f" (confiance {view.type_confidence:.0%})".replace("%", " %") if view.type_confidence else ""
        console.print(f"  Classement : [bold]{escape(view.doc_type)}[/]{confidence}, service "
                      f"{escape(view.service or '?')}" + (f", demande [bold]{view.request}[/]" if view.request else ""))
    if view.mail:
        console.print(f"  Reçu en pièce jointe du courriel : document {view.mail['id']} "
                      f"({escape(view.mail['filename'])})")
    if view.attachments:
        console.print("  Pièces jointes : " + ", ".join(f"document {a['id']} ({escape(a['filename'])})"
                                                       for a in view.attachments))
    for field in view.fields:
        flag = " [yellow]à vérifier[/]" if field["to_check"] else ""
        where = f", p. {field['page']}" if field["page"] else ""
        console.print(f"    {field['code']} = [bold]{escape(str(field['value']))}[/] "
                      f"[dim]({field['method']}, {field['confidence']:.0%}{where})[/]{flag}".replace("%", " %"))
    for stored in view.files:
        console.print(f"  Fichier {stored['role']} : {stored['sha256'][:16]}… ({_bytes(stored['size'])} octets)")
    for page in view.pages:
        source = "OCR" if page["source"] == "ocr" else "texte du PDF"
        confidence = f", confiance {page['confidence']} %" if page["confidence"] is not None else ""
        console.print(f"  Page {page['number']} : {source}{confidence}, rotation {page['rotation']}°, "
                      f"inclinaison {page['skew']}°")
    console.print("  Historique :")
    for event in view.history:
        label = labels.event_label(event["kind"])
        console.print(f"    {event['at']}  {label}  [dim]{escape(event['actor'])}[/]")
    if text and view.text:
        console.print("\n" + escape(view.text))


def export(
    document_id: Annotated[int, typer.Argument(metavar="ID", help="Numéro du document.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Fichier à écrire.")],
    pdfa: Annotated[bool, typer.Option("--pdfa", help="La copie PDF/A interrogeable (par défaut).")] = False,
    original: Annotated[bool, typer.Option("--original", help="L'original, octet pour octet.")] = False,
    signed: Annotated[bool, typer.Option("--signed", help="La copie PDF/A signée à l'instant (PAdES B-T).")] = False,
) -> None:
    """Exporter la copie PDF/A (signée ou non) ou l'original d'un document."""
    if original and (pdfa or signed):
        raise typer.BadParameter("choisissez --pdfa (éventuellement --signed) ou --original")
    with open_context() as ctx:
        path = document_service.export(ctx, document_id, output, original=original, actor=cli_actor(), signed=signed)
    console.print(f"Exporté : {escape(str(path))}")
