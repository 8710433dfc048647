"""``ged ingest``: files and folders into the GED, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ged.errors import ExitCode
from ged.services.ingest import IngestReport, IngestService, Outcome

from ..context import cli_actor, open_context
from ..output import console, print_json

_LINES = {
    Outcome.INGESTED: "[green]✔[/] {source} → document {document_id} ({page_count} p.)",
    Outcome.DUPLICATE: "[cyan]≡[/] {source} : doublon du document {duplicate_of}",
    Outcome.QUARANTINED: "[red]✖[/] {source} : mis en quarantaine — {reason}",
    Outcome.NEEDS_REVIEW: "[yellow]![/] {source} → document {document_id} à vérifier — {reason}",
    Outcome.QUEUED: "[blue]…[/] {source} → document {document_id} stocké, en file pour les workers",
    Outcome.MISSING: "[red]✖[/] {source} : {reason}",
    Outcome.REFUSED: "[red]✖[/] {source} : refusé — {reason}",
}
_SUMMARY = {
    Outcome.INGESTED: "intégré(s)", Outcome.DUPLICATE: "doublon(s)", Outcome.QUARANTINED: "en quarantaine",
    Outcome.NEEDS_REVIEW: "à vérifier", Outcome.MISSING: "introuvable(s)", Outcome.QUEUED: "en file",
    Outcome.REFUSED: "refusé(s)",
}


def _line(report: IngestReport) -> str:
    values = {k: escape(str(v)) for k, v in report.as_dict().items()}
    line = _LINES[report.outcome].format(**values)
    if report.doc_type and report.outcome == Outcome.INGESTED:
        line += f" · {escape(report.doc_type)}"
    if report.request:
        line += f" · demande {escape(report.request)}"
    return line


def ingest(
    paths: Annotated[list[Path], typer.Argument(
        help="Fichiers (PDF, TIFF, PNG, JPEG) ou dossiers, parcourus récursivement.")],
    json_output: Annotated[bool, typer.Option("--json", help="Une entrée JSON par document.")] = False,
) -> None:
    """Intégrer des fichiers et dossiers : stockage, OCR, copie PDF/A, indexation."""
    with open_context() as ctx:
        service = IngestService(ctx, actor=cli_actor())
        reports: list[IngestReport] = []
        if service.unfinished():
            if not json_output:
                console.print("Reprise des documents interrompus…")
            reports += service.resume()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, transient=True, disable=json_output) as bar:
            task = bar.add_task("Intégration", total=None)

            def advance(report: IngestReport) -> None:
                bar.advance(task)
                if not json_output:
                    bar.console.print(_line(report))

            reports += service.ingest(paths, progress=advance, on_total=lambda n: bar.update(task, total=n))
    if json_output:
        print_json([r.as_dict() for r in reports])
    else:
        counts = {o: sum(1 for r in reports if r.outcome == o) for o in Outcome}
        console.print(f"{len(reports)} fichier(s) : " + ", ".join(
            f"{n} {_SUMMARY[o]}" for o, n in counts.items() if n))
    refused = any(r.outcome in (Outcome.QUARANTINED, Outcome.MISSING, Outcome.REFUSED) for r in reports)
    raise typer.Exit(ExitCode.BAD_INPUT if refused else ExitCode.OK)
