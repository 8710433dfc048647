"""``ged init``."""

from __future__ import annotations

from typing import Annotated

import typer

from ged.services.setup import init_home, install_demo_pki
from ged.settings import default_home

from ..output import console, indexing_bar


def init(
    demo_pki: Annotated[bool, typer.Option("--demo-pki", help="Créer une PKI de TEST (AC, certificat de signature, "
                                           "horodatage) pour signer hors ligne.")] = False,
) -> None:
    """Créer le dossier de la GED (GED_HOME, par défaut ./ged-data) et sa configuration ged.toml."""
    with indexing_bar() as progress:
        home = init_home(default_home(), progress=progress, before_training=lambda: console.print(
            "Entraînement du modèle de classement par défaut (≈ 10 s)…"))
    settings = home.settings
    if home.written:
        console.print(f"GED créée dans [bold]{settings.home}[/] (configuration : {settings.config_file})")
    else:
        console.print(f"GED déjà présente dans [bold]{settings.home}[/] : base de données à jour")
    if home.indexed:
        console.print(f"Index de recherche mis à jour : {home.indexed} document(s).")
    if demo_pki:
        if install_demo_pki(settings):
            console.print(f"PKI de TEST créée dans {settings.pki_path} et déclarée dans \\[signing] — "
                          "[bold]elle ne prouve rien hors de cette machine[/]")
        else:
            console.print("Section \\[signing] déjà présente dans ged.toml : PKI inchangée")
    raise typer.Exit(0)
