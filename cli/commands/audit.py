"""``ged audit``: fixity of every stored file, and the audit report for the Archives."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ged.errors import ExitCode
from ged.services import audit_report, fixity

from ..context import cli_actor, day_option, open_context
from ..output import console, print_json

app = typer.Typer(help="Audit : intégrité de tous les fichiers stockés, rapport d'audit pour les Archives.",
                  no_args_is_help=True)


@app.command("fixity")
def fixity_command(
    restart: Annotated[bool, typer.Option("--restart", help="Recommencer au début au lieu de reprendre.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Recalculer l'empreinte de chaque fichier stocké (originaux, copies PDF/A, copies signées, accusés,
    paquets), signaler les fichiers absents, modifiés ou inconnus, contrôler le modèle de classement et les
    fichiers livrés. Un contrôle interrompu reprend où il s'était arrêté."""
    with open_context() as ctx, Progress(TextColumn("Contrôle des fichiers"), BarColumn(), MofNCompleteColumn(),
                                         TimeElapsedColumn(), console=console, transient=True,
                                         disable=json_output) as bar:
        task = bar.add_task("fichiers", total=None)
        report = fixity.check_all(ctx, actor=cli_actor(), restart=restart,
                                  progress=lambda done, total: bar.update(task, completed=done, total=total))
    if json_output:
        print_json({"ok": report.ok, "resumed_from": report.resumed_from} | report.summary())
    else:
        if report.resumed_from:
            console.print(f"Reprise après {report.resumed_from[:12]}…")
        for finding in report.damaged:
            console.print(f"[red]✖[/] {finding.sha256[:16]}… {finding.problem} — {escape(', '.join(finding.owners))}")
        for problem in report.artefacts:
            console.print(f"[red]✖[/] {escape(problem)}")
        for name in report.unknown:
            console.print(f"[yellow]?[/] fichier inconnu de la base : {name}")
        state = "intègres" if report.ok else "[bold red]ENDOMMAGÉS[/]"
        console.print(f"Fichiers {state} : {report.checked} contrôlé(s), {report.bytes / 1e6:.1f} Mo, "
                      f"{len(report.damaged)} endommagé(s), {len(report.unknown)} inconnu(s)")
    raise typer.Exit(ExitCode.OK if report.ok else ExitCode.DAMAGED)


@app.command("report")
def report(
    output: Annotated[Path, typer.Option("-o", "--output", help="Fichier PDF/A à écrire.")],
    first: Annotated[str | None, typer.Option("--du", help="Premier jour (AAAA-MM-JJ) ; défaut : 1er janvier.")] = None,
    last: Annotated[str | None, typer.Option("--au", help="Dernier jour (AAAA-MM-JJ) ; défaut : aujourd'hui.")] = None,
) -> None:
    """Rapport d'audit (PDF/A) : tête et longueur du journal, sceaux et leur autorité d'horodatage, contrôles
    d'intégrité, incidents, éliminations et versements de la période."""
    with open_context() as ctx:
        today = ctx.clock().date()
        written = audit_report.write(ctx, day_option(first).date() if first else today.replace(month=1, day=1),
                                     day_option(last).date() if last else today, output, actor=cli_actor())
    console.print(f"Rapport écrit : {escape(str(written.path))} (SHA-256 {written.sha256}, journalisé)")
    if not written.ok:
        console.print("[bold red]Le journal présente des anomalies : voir la section Incidents du rapport.[/]")
    raise typer.Exit(ExitCode.OK if written.ok else ExitCode.BAD_INPUT)
