"""``ged requests``: the requests (demandes) of the services, their due dates, status and agents."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ged.labels import event_label, history_detail
from ged.services import casework

from ..context import cli_actor, open_context
from ..output import console, print_json

app = typer.Typer(help="Demandes des usagers : suivi, échéances, attribution.", no_args_is_help=True)

_SILENCE = {"acceptation": "acceptation", "rejet": "rejet", "sans_objet": "—"}


def _date(value: object) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"  # type: ignore[attr-defined]


@app.command("list")
def list_(
    service: Annotated[str | None, typer.Option("--service", help="Code du service.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="nouvelle, en_cours, en_attente, cloturee.")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Seulement les demandes en retard.")] = False,
    assignee: Annotated[str | None, typer.Option("--assignee", help="Agent chargé de la demande.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Lister les demandes, par échéance (les plus urgentes d'abord)."""
    with open_context() as ctx:
        views = casework.list_requests(ctx, service=service, status=status, overdue=overdue, assignee=assignee)
    if json_output:
        print_json([v.as_dict() for v in views])
        return
    for view in views:
        due = _date(view.due_on)
        due = f"[bold red]{due} en retard[/]" if view.overdue else due
        agent = f" — {escape(view.assignee)}" if view.assignee else ""
        console.print(f"{view.number}  {due}  {view.doc_type} → {escape(view.service)}  [bold]{view.status_label}[/]"
                      f"  {escape(view.requester or '—')}{agent}")
    console.print(f"{len(views)} demande(s)" + (f", dont {sum(v.overdue for v in views)} en retard"
                                                 if any(v.overdue for v in views) else ""))


@app.command("show")
def show(
    number: Annotated[str, typer.Argument(help="Numéro d'enregistrement, ex. 2026-URB-000042.")],
    json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Afficher une demande : demandeur, champs, échéance, documents et historique."""
    with open_context() as ctx:
        view = casework.show(ctx, number)
        services = ctx.settings.services
    if json_output:
        print_json(view.as_dict())
        return
    console.print(f"[bold]Demande {view.number}[/] — {escape(view.type_label)} ({escape(view.service)})")
    console.print(f"  Statut : [bold]{view.status_label}[/]" + (f", agent {escape(view.assignee)}" if view.assignee
                                                                 else ""))
    console.print(f"  Demandeur : {escape(view.requester or '—')}" + (f" — {escape(view.contact)}" if view.contact
                                                                       else ""))
    late = " [bold red](en retard)[/]" if view.overdue else ""
    console.print(f"  Reçue le {_date(view.received_on)}, échéance {_date(view.due_on)}{late} — {escape(view.basis)}")
    if view.silence != "sans_objet":
        console.print(f"  Silence au {_date(view.silence_on)} : {_SILENCE[view.silence]}")
    if view.file_reference:
        console.print(f"  Dossier : {escape(view.file_reference)}")
    console.print(f"  Documents : {', '.join(map(str, view.documents))}")
    for code, field in view.fields.items():
        console.print(f"    {code} = [bold]{escape(str(field['value']))}[/] [dim](doc. {field['document']}, "
                      f"{field['confidence']:.0%})[/]".replace("%", " %"))
    console.print("  Historique :")
    for event in view.history:
        label = event_label(event["kind"]) + history_detail(event, services)
        console.print(f"    {event['at']}  {escape(label)}  [dim]{escape(event['actor'])}[/]")


@app.command("assign")
def assign(
    number: Annotated[str, typer.Argument(help="Numéro de la demande.")],
    agent: Annotated[str, typer.Argument(help="Identifiant de l'agent.")],
) -> None:
    """Attribuer une demande à un agent (elle passe « en cours »)."""
    with open_context() as ctx:
        view = casework.assign(ctx, number, agent, actor=cli_actor())
    console.print(f"Demande {view.number} attribuée à {escape(agent)} ({view.status_label})")


@app.command("status")
def status(
    number: Annotated[str, typer.Argument(help="Numéro de la demande.")],
    value: Annotated[str, typer.Argument(help="nouvelle, en_cours, en_attente (de pièces), cloturee.")],
    note: Annotated[str | None, typer.Option("--note", help="Commentaire consigné au journal.")] = None,
) -> None:
    """Changer le statut d'une demande."""
    with open_context() as ctx:
        view = casework.set_status(ctx, number, value, actor=cli_actor(), note=note)
    console.print(f"Demande {view.number} : {view.status_label}")


@app.command("acknowledgement")
def acknowledgement(
    number: Annotated[str, typer.Argument(help="Numéro de la demande.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Fichier à écrire.")],
    email: Annotated[bool, typer.Option("--email", help="Le texte du courriel plutôt que la lettre PDF.")] = False,
) -> None:
    """Exporter l'accusé de réception d'une demande (lettre PDF ou texte du courriel)."""
    with open_context() as ctx:
        path = casework.export_acknowledgement(ctx, number, output, email=email, actor=cli_actor())
    console.print(f"Accusé de réception exporté : {escape(str(path))}")
