"""Entry point of ``ged``: the command groups and the one place errors become exit codes.

Imports stay inside functions: OCR worker processes re-import the ``ged`` script as their
``__main__``, and must not pay for the whole CLI stack each time.
"""

from __future__ import annotations

import sys
from typing import Any, NamedTuple


class Command(NamedTuple):
    module: str
    """Its module under ``cli.commands``, imported only when the command is run."""
    attribute: str
    group: bool
    """A group of subcommands (a Typer app) rather than one function."""
    summary: str
    """Its line in ``ged --help``, which lists every command without importing them; a test keeps
    each line equal to the command's own help."""
    ocr_workers: bool = False
    """It processes documents: the OCR workers' fork server is started before its imports, so that
    the server's (≈ 0.6 s) run beside them on the other core."""


_COMMANDS: dict[str, Command] = {
    "init": Command("init", "init", False,
        "Créer le dossier de la GED (GED_HOME, par défaut ./ged-data) et sa configuration ged.toml."),
    "ingest": Command("ingest", "ingest", False,
        "Intégrer des fichiers et dossiers : stockage, OCR, copie PDF/A, indexation.", ocr_workers=True),
    "search": Command("search", "app", True, "Rechercher dans le texte des documents (ou « ged search reindex »)."),
    "show": Command("documents", "show", False,
        "Afficher un document : métadonnées, états, fichiers, pages, historique et texte."),
    "export": Command("documents", "export", False,
        "Exporter la copie PDF/A (signée ou non) ou l'original d'un document."),
    "watch": Command("watch", "watch", False,
        "Surveiller les dossiers de numérisation : chaque fichier complet est intégré puis classé."),
    "status": Command("watch", "status", False,
        "État du service courrier : en attente, traités aujourd'hui, quarantaine, à vérifier ; file des workers."),
    "worker": Command("watch", "worker", False,
        "Worker de traitement (plusieurs machines) : prend les documents en file et les traite, jusqu'à SIGTERM."),
    "separator": Command("separator", "app", True, "Feuilles de séparation pour les lots numérisés."),
    "requests": Command("requests", "app", True, "Demandes des usagers : suivi, échéances, attribution."),
    "doc": Command("doc", "app", True, "Vérification des documents par les agents."),
    "classify": Command("classify", "app", True, "Classement automatique : entraînement et évaluation du modèle."),
    "archive": Command("archive", "app", True,
        "Archivage électronique : signature, empreintes, durée de conservation, audit."),
    "retention": Command("retention", "app", True,
        "Sort final des archives : échéances, bordereaux d'élimination, visa, élimination."),
    "attestation": Command("attestation", "app", True,
        "Attestations de numérisation des lots (copie fidèle, NF Z42-026)."),
    "hold": Command("hold", "app", True, "Gels (conservation pour motif juridique) : ni élimination ni versement."),
    "streets": Command("streets", "app", True, "Voies de la commune (extrait de la Base Adresse Nationale)."),
    "journal": Command("journal", "app", True,
        "Journal des événements : vérification du chaînage et scellement horodaté."),
    "audit": Command("audit", "app", True,
        "Audit : intégrité de tous les fichiers stockés, rapport d'audit pour les Archives."),
    "robots": Command("robots", "app", True,
        "Robots : tâches planifiées ou déclenchées par des événements (GED_HOME/robots/*.toml)."),
    "daemon": Command("robots", "daemon", False,
        "Surveillance des dossiers et robots ensemble (installation sur une seule machine)."),
    "serve": Command("web", "serve", False,
        "Lancer l'interface web des agents (derrière un proxy HTTPS en production)."),
    "users": Command("web", "users_app", True, "Comptes locaux de l'interface web (rôles et services)."),
}
"""Every command, in the order ``ged --help`` lists them."""


def _no_options() -> None:
    """``ged`` itself takes no options: everything belongs to a command."""


def build_app(argv: list[str]) -> Any:
    """The application with the command named on the command line, or the list of every command.

    Each command module imports its own services (signing, SEDA, the web stack...); loading all
    of them cost ``ged ingest`` half a second of start-up, paid again by every robot run, and
    ``ged --help`` a whole second.
    """
    import importlib

    import typer

    app = typer.Typer(
        name="ged",
        help="GED des collectivités : numérisation, OCR, recherche et archivage du courrier.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode="rich",
        pretty_exceptions_enable=False,
    )
    # A callback keeps ``ged`` a group even when a single command is registered: Typer would
    # otherwise run that command directly and refuse its name as an extra argument.
    app.callback()(_no_options)
    named = argv[0] if argv and argv[0] in _COMMANDS else None
    for name, command in _COMMANDS.items():
        if named is None:  # the list of commands only: each is imported when it is run
            app.command(name, help=command.summary)(_no_options)
            continue
        if name != named:
            continue
        target = getattr(importlib.import_module(f"cli.commands.{command.module}"), command.attribute)
        if command.group:
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)
    return app


def main() -> None:
    """Run the CLI; expected failures print one French line and exit with their own code.

    Typer itself handles usage errors (exit 2) and ``typer.Exit``; everything the core
    raises is mapped here, in one place.
    """
    import logging
    import warnings

    from ged.errors import ExitCode, GedError

    from .output import fail

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for chatty in ("pyhanko", "pyhanko_certvalidator"):  # their warnings are reported by our own messages
        logging.getLogger(chatty).setLevel(logging.CRITICAL)
    # pyHanko imports cryptography's DSA support, which warns at every signing command; nothing an
    # agent can act on (the project signs with RSA), and it would print in English under French output.
    warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko")
    try:
        named = _COMMANDS.get(sys.argv[1]) if len(sys.argv) > 1 else None
        if named is not None and named.ocr_workers:
            from ged.services.ingest import start_fork_server

            start_fork_server()  # before the command's imports, which then run beside the server's
        build_app(sys.argv[1:])()
    except GedError as exc:
        fail(exc.message)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        fail("interrompu par l'utilisateur")
        sys.exit(ExitCode.INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - the last resort must say something useful
        logging.getLogger("ged").exception("erreur interne")
        fail(f"erreur interne : {exc}")
        sys.exit(ExitCode.INTERNAL)


def run() -> None:
    """The ``ged`` console script: ``main``, then a heap frozen for the interpreter's exit.

    Tearing down the interpreter ran a last garbage collection over every object the command
    made: 0.15 s after an ingest of 300 letters, and about 0.1 s after any command, paid by
    every robot run. A frozen heap is left out of that collection; objects are still released
    and exit handlers still run. ``main`` itself leaves the heap alone for callers that go on
    living (the tests run it in-process).
    """
    import gc
    import os

    # The project has no pydantic plugin: skip pydantic's scan of every installed distribution's
    # entry points, ≈ 10 ms of every command's start (a value already set is kept).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        main()
    finally:
        gc.freeze()
