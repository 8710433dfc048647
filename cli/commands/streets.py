"""``ged streets``: the commune's street list (BAN extract), to which reported places and land addresses snap."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ged.services import streets

from ..context import cli_actor, open_context
from ..output import console, print_json

app = typer.Typer(help="Voies de la commune (extrait de la Base Adresse Nationale).", no_args_is_help=True)


@app.command("import")
def import_(source: Annotated[Path, typer.Argument(metavar="FICHIER.csv", help="Extrait « adresses » de la BAN.")],
            commune: Annotated[str | None, typer.Option(
                "--commune", help="Code INSEE ou nom : seulement les voies de cette commune.")] = None) -> None:
    """Importer les voies d'un extrait CSV de la BAN (remplace la liste actuelle)."""
    with open_context() as ctx:
        count = streets.import_ban(ctx, source, commune=commune, actor=cli_actor())
    console.print(f"{count} voie(s) importée(s) : les adresses de la commune s'y rapportent désormais")


@app.command("list")
def list_(json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Lister les voies connues."""
    with open_context() as ctx:
        names = streets.streets(ctx)
    if json_output:
        print_json(list(names))
        return
    for name in names:
        console.print(name, highlight=False)
    console.print(f"{len(names)} voie(s)")
