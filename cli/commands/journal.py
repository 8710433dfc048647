"""``ged journal``: verify the chained journal and seal its head with a timestamp."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ged.errors import ExitCode
from ged.services import integrity

from ..context import cli_actor, open_context
from ..output import console, print_json

app = typer.Typer(help="Journal des événements : vérification du chaînage et scellement horodaté.",
                  no_args_is_help=True)


@app.command("verify")
def verify(json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Détecter toute entrée modifiée, supprimée, insérée ou déplacée, et vérifier les sceaux."""
    ctx = open_context()
    result = integrity.verify(ctx)
    ctx.close()
    if json_output:
        print_json({"ok": result.ok, "entries": result.entries,
                    "breaks": [{"event_id": b.event_id, "problem": b.problem} for b in result.breaks],
                    "seals": [{"event_id": i, "valid": v, "detail": d} for i, v, d in result.seals]})
    else:
        for chain_break in result.breaks:
            console.print(f"[red]✖[/] entrée {chain_break.event_id} : {chain_break.problem}")
        for event_id, valid, detail in result.seals:
            mark = "[green]✔[/]" if valid else "[red]✖[/]"
            console.print(f"{mark} sceau {event_id} : {escape(detail)}")
        state = "intègre" if result.ok else "[bold red]ALTÉRÉ[/]"
        console.print(f"Journal {state} : {result.entries} entrées, {len(result.seals)} sceau(x)")
    raise typer.Exit(ExitCode.OK if result.ok else ExitCode.BAD_INPUT)


@app.command("seal")
def seal() -> None:
    """Sceller la tête du journal par un jeton d'horodatage RFC 3161."""
    ctx = open_context()
    sealed = integrity.seal(ctx, actor=cli_actor())
    ctx.close()
    console.print(f"Journal scellé jusqu'à l'entrée {sealed.head_id} (sceau : entrée {sealed.event_id})")
