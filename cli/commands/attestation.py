"""``ged attestation``: attestations of digitisation of the scan batches (fidelity copies)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ged.errors import InvalidValue
from ged.services import attestation

from ..context import cli_actor, open_context
from ..output import console, print_json

app = typer.Typer(help="Attestations de numérisation des lots (copie fidèle, NF Z42-026).", no_args_is_help=True)


@app.command("list")
def list_(limit: Annotated[int, typer.Option("--limit", help="Nombre de lots affichés.")] = 50,
          json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Les derniers lots de numérisation."""
    with open_context() as ctx:
        batches = attestation.list_batches(ctx, limit=limit)
    if json_output:
        print_json(batches)
        return
    for b in batches:
        console.print(f"lot {b['lot']}  {b['depose_le']}  {b['etat']:<11}  {b['fichiers']} fichier(s), "
                      f"{b['pages']} page(s)  {escape(b['operateur'])}  {escape(b['origine'])}")
    console.print(f"{len(batches)} lot(s)")


@app.command("show")
def show(batch: Annotated[int, typer.Argument(metavar="LOT")],
         json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Un lot : opérateur, paramètres lus dans les fichiers, empreintes, horodatage, contrôle qualité,
    et leur vérification maintenant (code de sortie 1 si un contrôle échoue)."""
    with open_context() as ctx:
        view = attestation.show(ctx, batch)
    if json_output:
        print_json(view.as_dict())
    else:
        control = view.manifest["controle"]
        console.print(f"[bold]Lot de numérisation {view.id}[/bold] — {view.state}")
        console.print(f"Déposé le {view.taken_at:%d/%m/%Y %H:%M} UTC par {escape(view.operator)} "
                      f"({escape(view.origin)})")
        console.print(f"Manifeste SHA-256 {view.manifest_sha256}")
        if view.timestamped_at:
            console.print(f"Horodaté le {view.timestamped_at:%d/%m/%Y %H:%M:%S} UTC par {escape(view.tsa or '?')}")
        else:
            console.print(f"Horodatage en attente : {escape(view.problem or '—')}")
        for entry in view.manifest["fichiers"]:
            profile = attestation.profile_text(entry["profil"])
            console.print(f"  n° {entry['document']}  {escape(entry['fichier'])}  {len(entry['profil'])} p.  "
                          f"{escape(profile)}  {entry['sha256'][:16]}…")
        blank = ", ".join(control["pages_blanches"]) or "aucune"
        low = ", ".join(control["pages_sous_resolution"]) or "aucune"
        console.print(f"Contrôle qualité : {control['pages']} page(s) ; blanches : {blank} ; sous "
                      f"{control['resolution_minimale_dpi']} dpi : {low} ; non enregistrés : "
                      f"{escape(', '.join(control['non_enregistres']) or 'aucun')}")
        for check in view.checks:
            console.print(f"  {'✗' if check.startswith('ÉCHEC') else '✓'} {escape(check)}")
    if view.timestamped_at and not view.ok:
        raise typer.Exit(1)


@app.command("pdf")
def pdf(batch: Annotated[int, typer.Argument(metavar="LOT")],
        output: Annotated[Path, typer.Option("--output", "-o", help="Fichier PDF/A à écrire.")]) -> None:
    """Écrire l'attestation de numérisation (PDF/A) d'un lot."""
    with open_context() as ctx:
        source = attestation.attestation_file(ctx, batch)
    if output.exists():
        raise InvalidValue(f"{output} existe déjà : choisissez un autre nom")
    shutil.copyfile(source, output)
    console.print(f"Attestation du lot {batch} écrite : {output}")


@app.command("complete")
def complete() -> None:
    """Horodater et attester les lots restés en attente (autorité d'horodatage injoignable)."""
    with open_context() as ctx:
        done = attestation.complete_pending(ctx, actor=cli_actor())
    console.print(f"{len(done)} lot(s) attesté(s)" + (f" : {', '.join(map(str, done))}" if done else ""))
