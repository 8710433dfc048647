"""``ged retention``: DUA due, elimination lists, visa and elimination (Code du patrimoine L212-2)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ged.services import retention

from ..context import cli_actor, open_context
from ..output import console, print_json

app = typer.Typer(help="Sort final des archives : échéances, bordereaux d'élimination, visa, élimination.",
                  no_args_is_help=True)
_FINAL = {"C": "conserver (verser)", "D": "détruire", "T": "trier"}


@app.command("due")
def due(json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Lister les archives dont la durée d'utilité administrative est échue."""
    with open_context() as ctx:
        records = retention.due(ctx)
    if json_output:
        print_json([{**r.__dict__, "dua_end": r.dua_end.isoformat(), "unit": retention.unit_id(r.document_id)}
                    for r in records])
        return
    for r in records:
        hold = " [bold yellow]GELÉ[/]" if r.held else ""
        console.print(f"document {r.document_id}  DUA échue le {r.dua_end:%d/%m/%Y}  {escape(r.family)}  "
                      f"sort final {r.final_action} ({_FINAL[r.final_action]}){hold}")
    console.print(f"{len(records)} archive(s) à échéance")


@app.command("propose")
def propose(
    include_triage: Annotated[bool, typer.Option("--include-triage", help="Inclure les archives à trier (T).")]
    = False,
) -> None:
    """Établir un bordereau d'élimination (PDF) et la demande de visa SEDA pour les Archives départementales."""
    with open_context() as ctx:
        elimination = retention.propose(ctx, actor=cli_actor(), include_triage=include_triage)
    console.print(f"Bordereau {elimination.number} proposé ({len(elimination.files)} fichiers) — "
                  f"exportez-le : ged retention export {elimination.number} bordereau -o bordereau.pdf")


@app.command("approve")
def approve(
    number: Annotated[str, typer.Argument(metavar="LISTE", help="Numéro du bordereau (ELIM-AAAA-NNNN).")],
    visa: Annotated[str, typer.Option("--visa", help="Référence du visa des Archives départementales.")],
) -> None:
    """Enregistrer le visa de l'autorité de contrôle (par une autre personne que le proposant)."""
    with open_context() as ctx:
        retention.approve(ctx, number, visa, actor=cli_actor())
    console.print(f"Visa {escape(visa)} enregistré pour {number}")


@app.command("eliminate")
def eliminate(number: Annotated[str, typer.Argument(metavar="LISTE", help="Numéro du bordereau visé.")]) -> None:
    """Détruire toutes les copies des documents d'un bordereau visé ; attestation et notification SEDA."""
    with open_context() as ctx:
        result = retention.eliminate(ctx, number, actor=cli_actor())
    console.print(f"{len(result.destroyed)} document(s) éliminé(s) : {', '.join(map(str, result.destroyed))}")
    if result.kept_on_hold:
        console.print(f"[yellow]Gelés, non éliminés :[/] {', '.join(map(str, result.kept_on_hold))}")
    console.print(f"Attestation : ged retention export {number} attestation -o attestation.pdf")


@app.command("lists")
def lists(json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Les bordereaux d'élimination et leur état."""
    with open_context() as ctx:
        items = retention.lists(ctx)
    if json_output:
        print_json(items)
        return
    for item in items:
        console.print(f"{item['number']}  {item['status']}  {len(item['records'])} document(s)"
                      + (f"  visa {escape(item['visa'])}" if item["visa"] else ""))


@app.command("export")
def export(
    number: Annotated[str, typer.Argument(metavar="LISTE")],
    kind: Annotated[str, typer.Argument(help="bordereau, demande_seda, attestation ou notification_seda.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Fichier à écrire.")],
) -> None:
    """Exporter un document d'un bordereau (PDF ou message SEDA)."""
    with open_context() as ctx:
        retention.export_file(ctx, number, kind, output, actor=cli_actor())
    console.print(f"Exporté : {escape(str(output))}")
