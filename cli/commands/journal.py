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
    """Détecter toute entrée modifiée, supprimée, insérée ou déplacée, un journal raccourci ou recalculé
    (comparé au registre des sceaux hors base), et toute ligne d'archive, de gel, de liste, de versement
    ou de compte modifiée hors de l'application."""
    with open_context() as ctx:
        result = integrity.verify(ctx)
    if json_output:
        print_json({"ok": result.ok, "entries": result.entries,
                    "breaks": [{"event_id": b.event_id, "problem": b.problem} for b in result.breaks],
                    "seals": [{"event_id": s.event_id, "valid": s.valid, "detail": s.detail} for s in result.seals],
                    "records": [{"table": r.table, "row": r.row, "problem": r.problem} for r in result.records]})
    else:
        for chain_break in result.breaks:
            console.print(f"[red]✖[/] entrée {chain_break.event_id} : {escape(chain_break.problem)}")
        for check in result.seals:
            mark = "[green]✔[/]" if check.valid else "[red]✖[/]"
            console.print(f"{mark} sceau {check.event_id} : {escape(check.detail)}")
        for record in result.records:
            console.print(f"[red]✖[/] {record.table} n° {record.row} : {escape(record.problem)}")
        state = "intègre" if result.ok else "[bold red]ALTÉRÉ[/]"
        console.print(f"Journal {state} : {result.entries} entrées, {len(result.seals)} sceau(x)")
    raise typer.Exit(ExitCode.OK if result.ok else ExitCode.BAD_INPUT)


@app.command("seal")
def seal() -> None:
    """Sceller la tête du journal par un jeton d'horodatage RFC 3161."""
    with open_context() as ctx:
        sealed = integrity.seal(ctx, actor=cli_actor())
    console.print(f"Journal scellé jusqu'à l'entrée {sealed.head_id} (sceau : entrée {sealed.event_id}), "
                  "inscrit au registre des sceaux")
    for warning in sealed.warnings:
        console.print(f"[yellow]![/] {escape(warning)}")
