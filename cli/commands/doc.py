"""``ged doc``: a person's checks on a document (type and fields)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ged.services import validation

from ..context import cli_actor, open_context
from ..output import console, print_json

app = typer.Typer(help="Vérification des documents par les agents.", no_args_is_help=True)


def _pairs(values: list[str]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for item in values:
        code, sep, value = item.partition("=")
        if not sep or not code.strip():
            raise typer.BadParameter(f"« {item} » : attendu champ=valeur")
        pairs[code.strip()] = value
    return pairs


@app.command("validate")
def validate(
    document_id: Annotated[int, typer.Argument(metavar="ID", help="Numéro du document.")],
    doc_type: Annotated[str | None, typer.Option("--type", help="Type du document (sinon, celui proposé).")] = None,
    values: Annotated[list[str] | None, typer.Option("--set", help="Correction champ=valeur (répétable).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Valider le type d'un document et corriger ses champs ; la demande est créée si besoin."""
    corrections = _pairs(values or [])
    with open_context() as ctx:
        result = validation.validate(ctx, document_id, doc_type=doc_type, values=corrections, actor=cli_actor())
    if json_output:
        print_json({"document_id": result.document_id, "type": result.doc_type, "changes": result.changes,
                    "request": result.request_number})
        return
    console.print(f"Document {result.document_id} validé : {escape(result.doc_type)}"
                  + (f", demande {result.request_number}" if result.request_number else ""))
    for code, (before, after) in result.changes.items():
        console.print(f"  {code} : {escape(str(before))} → [bold]{escape(str(after))}[/]")
