"""Entry point of ``ged``: the command groups and the one place errors become exit codes.

Imports stay inside functions: OCR worker processes re-import the ``ged`` script as their
``__main__``, and must not pay for the whole CLI stack each time.
"""

from __future__ import annotations

import sys
from typing import Any


def build_app() -> Any:
    import typer

    from .commands import (
        archive,
        classify,
        doc,
        documents,
        hold,
        ingest,
        init,
        journal,
        requests,
        retention,
        robots,
        search,
        separator,
        watch,
        web,
    )

    app = typer.Typer(
        name="ged",
        help="GED des collectivités : numérisation, OCR, recherche et archivage du courrier.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode="rich",
        pretty_exceptions_enable=False,
    )
    app.command("init")(init.init)
    app.command("ingest")(ingest.ingest)
    app.add_typer(search.app, name="search")
    app.command("show")(documents.show)
    app.command("export")(documents.export)
    app.command("watch")(watch.watch)
    app.command("status")(watch.status)
    app.command("worker")(watch.worker)
    app.add_typer(separator.app, name="separator")
    app.add_typer(requests.app, name="requests")
    app.add_typer(doc.app, name="doc")
    app.add_typer(classify.app, name="classify")
    app.add_typer(archive.app, name="archive")
    app.add_typer(retention.app, name="retention")
    app.add_typer(hold.app, name="hold")
    app.add_typer(journal.app, name="journal")
    app.add_typer(robots.app, name="robots")
    app.command("daemon")(robots.daemon)
    app.command("serve")(web.serve)
    app.add_typer(web.users_app, name="users")
    return app


def main() -> None:
    """Run the CLI; expected failures print one French line and exit with their own code.

    Typer itself handles usage errors (exit 2) and ``typer.Exit``; everything the core
    raises is mapped here, in one place.
    """
    import logging

    import ocr
    from ged.errors import ExitCode, GedError

    from .output import fail

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for chatty in ("pyhanko", "pyhanko_certvalidator"):  # their warnings are reported by our own messages
        logging.getLogger(chatty).setLevel(logging.CRITICAL)
    try:
        build_app()()
    except GedError as exc:
        fail(exc.message)
        sys.exit(exc.exit_code)
    except ocr.MissingDependency as exc:
        fail(str(exc))
        sys.exit(ExitCode.MISSING_DEPENDENCY)
    except KeyboardInterrupt:
        fail("interrompu par l'utilisateur")
        sys.exit(ExitCode.INTERRUPTED)
    except Exception as exc:  # noqa: BLE001 - the last resort must say something useful
        logging.getLogger("ged").exception("erreur interne")
        fail(f"erreur interne : {exc}")
        sys.exit(ExitCode.INTERNAL)
