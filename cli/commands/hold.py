"""``ged hold``: legal holds (gel) that block elimination and transfer."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ged.services import holds

from ..context import cli_actor, open_context
from ..output import console, print_json

app = typer.Typer(help="Gels (conservation pour motif juridique) : ni élimination ni versement.",
                  no_args_is_help=True)


@app.command("add")
def add(document_id: Annotated[int, typer.Argument(metavar="DOC")],
        reason: Annotated[str, typer.Option("--reason", help="Motif du gel (contentieux, enquête…).")]) -> None:
    """Geler un document."""
    with open_context() as ctx:
        holds.add(ctx, document_id, reason, actor=cli_actor())
    console.print(f"Document {document_id} gelé : {escape(reason)}")


@app.command("remove")
def remove(document_id: Annotated[int, typer.Argument(metavar="DOC")],
           reason: Annotated[str, typer.Option("--reason", help="Motif de la levée.")]) -> None:
    """Lever le gel d'un document."""
    with open_context() as ctx:
        holds.remove(ctx, document_id, reason, actor=cli_actor())
    console.print(f"Gel levé sur le document {document_id}")


@app.command("list")
def list_(json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Les gels actifs."""
    with open_context() as ctx:
        active = holds.active(ctx)
    if json_output:
        print_json([{**h.__dict__, "created_at": h.created_at.isoformat(timespec="seconds")} for h in active])
        return
    for h in active:
        console.print(f"document {h.document_id}  depuis le {h.created_at:%d/%m/%Y}  par {escape(h.created_by)}  "
                      f"— {escape(h.reason)}")
    console.print(f"{len(active)} gel(s) actif(s)")
