"""``ged search QUERY`` and ``ged search reindex``."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Annotated, Any

import typer
from rich.markup import escape

from ged.labels import state_label
from ged.services import search as search_service
from ged.services.search import SearchRequest

from ..context import day_option, open_context
from ..groups import default_command_group
from ..output import console, indexing_bar, print_json, snippet_markup

app = typer.Typer(cls=default_command_group("query"), no_args_is_help=True,
                  help="Rechercher dans le texte des documents (ou « ged search reindex »).")

_SORTS = {"pertinence": "relevance", "date": "date"}


def _day(value: str | None, *, end: bool) -> datetime | None:
    if value is None:
        return None
    day = day_option(value)
    return day + timedelta(days=1) - timedelta(microseconds=1) if end else day


def _hit_dict(hit: Any) -> dict[str, Any]:
    data = asdict(hit)
    data["received_at"] = hit.received_at.isoformat(timespec="seconds") + "Z"
    return data


@app.command("query", hidden=True)
def query(
    text: Annotated[list[str], typer.Argument(help='Mots, "expressions exactes", -mots exclus.')],
    doc_type: Annotated[list[str], typer.Option("--type", help="Type de document (répétable).")] = [],  # noqa: B006
    service: Annotated[list[str], typer.Option("--service", help="Service (répétable).")] = [],  # noqa: B006
    state: Annotated[list[str], typer.Option("--state", help="État (répétable).")] = [],  # noqa: B006
    date_from: Annotated[str | None, typer.Option("--from", help="Reçu à partir du (AAAA-MM-JJ).")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="Reçu jusqu'au (AAAA-MM-JJ).")] = None,
    limit: Annotated[int, typer.Option(help="Résultats par page.", min=1, max=200)] = 10,
    page: Annotated[int, typer.Option(help="Numéro de page.", min=1)] = 1,
    sort: Annotated[str, typer.Option(help="pertinence ou date.")] = "pertinence",
    json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Rechercher."""
    if sort not in _SORTS:
        raise typer.BadParameter("tri attendu : pertinence ou date", param_hint="--sort")
    request = SearchRequest(
        text=" ".join(text), doc_types=frozenset(doc_type), services=frozenset(service), states=frozenset(state),
        received_from=_day(date_from, end=False), received_to=_day(date_to, end=True),
        offset=(page - 1) * limit, limit=limit, sort=_SORTS[sort], facets=json_output,  # printed in JSON only
    )
    with open_context() as ctx:
        result = search_service.search(ctx, request)
    if json_output:
        print_json({"total": result.total, "page": page, "limit": limit,
                    "hits": [_hit_dict(h) for h in result.hits], "facets": result.facets})
        return
    console.print(f"[bold]{result.total}[/] résultat(s)" + (f", page {page}" if result.total > limit else ""))
    for hit in result.hits:
        meta = " · ".join(escape(v) for v in (hit.doc_type, hit.service, hit.state and state_label(hit.state)) if v)
        console.print(f"\n[bold]{hit.id}[/]  {escape(hit.title)}  [dim]{meta} · reçu le "
                      f"{hit.received_at:%d/%m/%Y}[/]")
        console.print("    " + snippet_markup(hit.snippet))


@app.command("reindex")
def reindex(restart: Annotated[bool, typer.Option(
        "--depuis-le-debut", help="Ne pas reprendre une reconstruction interrompue : tout refaire.")] = False) -> None:
    """Reconstruire l'index de recherche à partir de la base de données (une reconstruction interrompue
    reprend là où elle s'était arrêtée ; l'index reste consultable pendant ce temps)."""
    with open_context() as ctx:
        resumed = None if restart else search_service.interrupted_rebuild(ctx)
        if resumed is not None:
            console.print(f"Reprise de la reconstruction interrompue après le document {resumed}.")
        with indexing_bar() as progress:
            count = search_service.reindex(ctx, restart=restart, progress=progress)
    console.print(f"Index reconstruit : {count} document(s).")
