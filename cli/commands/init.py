"""``ged init``."""

from __future__ import annotations

import typer

from ged.services.setup import init_home
from ged.settings import default_home

from ..output import console


def init() -> None:
    """Créer le dossier de la GED (GED_HOME, par défaut ./ged-data) et sa configuration ged.toml."""
    settings, written = init_home(default_home(), before_training=lambda: console.print(
        "Entraînement du modèle de classement par défaut (≈ 10 s)…"))
    if written:
        console.print(f"GED créée dans [bold]{settings.home}[/] (configuration : {settings.config_file})")
    else:
        console.print(f"GED déjà présente dans [bold]{settings.home}[/] : base de données à jour")
    raise typer.Exit(0)
