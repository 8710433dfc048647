"""``ged separator print``: separator sheets for batch scans."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..output import console

app = typer.Typer(no_args_is_help=True, help="Feuilles de séparation pour les lots numérisés.")


@app.command("print")
def print_sheet(
    output: Annotated[Path, typer.Option("-o", "--output", help="PDF à écrire.")],
    doc_type: Annotated[str | None, typer.Option("--type", help="Type des documents qui suivent.")] = None,
    service: Annotated[str | None, typer.Option("--service", help="Service destinataire.")] = None,
) -> None:
    """Imprimer une feuille de séparation (code QR) à placer devant chaque document d'un lot."""
    from ged.services.ingest import print_separator

    try:
        path = print_separator(output, doc_type=doc_type, service=service)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    console.print(f"Feuille de séparation écrite : {escape(str(path))}")
