"""``ged archive``: archive documents (signed PAdES B-LTA, fingerprints, retention rule) and audit them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ged.errors import ExitCode
from ged.services import archiving, transfers
from ged.services import search as search_service
from ged.services.search import SearchRequest

from ..context import cli_actor, open_context
from ..groups import default_command_group
from ..output import console, print_json

app = typer.Typer(cls=default_command_group("documents"), no_args_is_help=True,
                  help="Archivage électronique : signature, empreintes, durée de conservation, audit.")

_QUERY_LIMIT = 10_000


@app.command("documents", hidden=True)
def documents(
    ids: Annotated[list[int] | None, typer.Argument(metavar="DOC...", help="Numéros des documents.")] = None,
    query: Annotated[str | None, typer.Option("--query", help="Archiver les résultats d'une recherche.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Archiver des documents : copie PDF/A signée (PAdES B-LTA), empreintes, règle de conservation."""
    if not ids and not query:
        raise typer.BadParameter("donnez des numéros de documents ou --query")
    with open_context() as ctx:
        targets = list(ids or [])
        if query:
            found = search_service.search(ctx, SearchRequest(text=query, limit=_QUERY_LIMIT))
            targets += [hit.id for hit in found.hits if hit.id not in targets]
        results = archiving.archive(ctx, targets, actor=cli_actor())
    if json_output:
        print_json([{"document_id": r.document_id, "archived": r.ok, "reason": r.reason,
                     "dua_end": r.dua_end.isoformat() if r.dua_end else None, "final_action": r.final_action}
                    for r in results])
    else:
        for r in results:
            if r.ok:
                end = f"DUA jusqu'au {r.dua_end:%d/%m/%Y}" if r.dua_end else "DUA à compter de la clôture"
                console.print(f"[green]✔[/] document {r.document_id} archivé — {end}, sort final {r.final_action}")
            else:
                console.print(f"[red]✖[/] document {r.document_id} : {escape(r.reason or '')}")
    raise typer.Exit(ExitCode.OK if all(r.ok for r in results) else ExitCode.BAD_INPUT)


@app.command("audit")
def audit(json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Recalculer toutes les empreintes archivées et valider toutes les signatures."""
    with open_context() as ctx:
        results = archiving.audit(ctx, actor=cli_actor())
    if json_output:
        print_json([{"document_id": r.document_id, "ok": r.ok, "problems": r.problems,
                     "signatures": [{"field": c.field, "kind": c.kind, "intact": c.intact, "valid": c.valid,
                                     "trusted": c.trusted, "signer": c.signer,
                                     "signed_at": c.signed_at.isoformat() if c.signed_at else None}
                                    for c in r.signatures]} for r in results])
    else:
        for r in results:
            if r.ok:
                console.print(f"[green]✔[/] document {r.document_id} : empreintes conformes, "
                              f"{len(r.signatures)} signature(s)/horodatage(s) valides")
            else:
                console.print(f"[red]✖[/] document {r.document_id} : " + escape(" ; ".join(r.problems)))
        failed = sum(not r.ok for r in results)
        console.print(f"{len(results)} document(s) archivé(s) contrôlé(s), {failed} anomalie(s)")
    raise typer.Exit(ExitCode.OK if all(r.ok for r in results) else ExitCode.BAD_INPUT)


@app.command("transfer")
def transfer(
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Paquet SEDA à écrire (zip).")] = None,
    reply: Annotated[Path | None, typer.Option("--reply", help="ArchiveTransferReply reçue des Archives.")] = None,
    include_triage: Annotated[bool, typer.Option("--include-triage", help="Verser aussi les archives à trier (T).")]
    = False,
) -> None:
    """Verser aux archives définitives (sort final C) : paquet SEDA 2.2, puis enregistrer la réponse."""
    if (output is None) == (reply is None):
        raise typer.BadParameter("donnez -o PAQUET.zip pour préparer un versement, ou --reply FICHIER pour sa réponse")
    if reply is not None:
        with open_context() as ctx:
            number, accepted = transfers.receive_reply(ctx, reply, actor=cli_actor())
        outcome = "accepté — documents versés" if accepted else "refusé — archives conservées"
        console.print(f"Versement {number} : {outcome}")
        return
    assert output is not None
    with open_context() as ctx:
        sent = transfers.send(ctx, output, actor=cli_actor(), include_triage=include_triage)
    console.print(f"Versement {sent.number} : {len(sent.units)} document(s) dans {escape(str(sent.path))}")
    if sent.skipped_on_hold:
        console.print(f"[yellow]Gelés, non versés :[/] {', '.join(map(str, sent.skipped_on_hold))}")
