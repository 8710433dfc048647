"""``ged serve`` and ``ged users``: the web UI and its local accounts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from ..context import cli_actor, open_context
from ..output import console

users_app = typer.Typer(help="Comptes locaux de l'interface web (rôles et services).", no_args_is_help=True)


@users_app.command("add")
def add(
    login: Annotated[str, typer.Argument(help="Identifiant de connexion.")],
    name: Annotated[str, typer.Option("--name", help="Nom affiché.")],
    role: Annotated[str, typer.Option("--role", help="courrier, agent, archiviste ou admin.")],
    services: Annotated[list[str] | None, typer.Option("--service", help="Service visible (répétable).")] = None,
    password: Annotated[str, typer.Option("--password", prompt="Mot de passe", hide_input=True,
                                          confirmation_prompt=True, help="12 caractères au moins.")] = "",
) -> None:
    """Créer un compte (mot de passe haché avec argon2)."""
    from ged.services import accounts

    with open_context() as ctx:
        accounts.add_user(ctx, login, name, role, services or [], password, actor=cli_actor())
    console.print(f"Compte {escape(login)} créé ({role}, services : {', '.join(services or []) or 'aucun'})")


@users_app.command("passwd")
def passwd(
    login: Annotated[str, typer.Argument()],
    password: Annotated[str, typer.Option("--password", prompt="Nouveau mot de passe", hide_input=True,
                                          confirmation_prompt=True)] = "",
) -> None:
    """Changer un mot de passe (les sessions ouvertes du compte sont fermées)."""
    from ged.services import accounts

    with open_context() as ctx:
        accounts.set_password(ctx, login, password, actor=cli_actor())
    console.print(f"Mot de passe de {escape(login)} changé")


@users_app.command("disable")
def disable(login: Annotated[str, typer.Argument()]) -> None:
    """Désactiver un compte (ses sessions sont fermées)."""
    from ged.services import accounts

    with open_context() as ctx:
        accounts.disable(ctx, login, actor=cli_actor())
    console.print(f"Compte {escape(login)} désactivé")


@users_app.command("list")
def list_() -> None:
    """Les comptes, leur rôle et leurs services."""
    from ged.services import accounts

    with open_context() as ctx:
        for login, name, role, services, disabled in accounts.users(ctx):
            state = " [dim](désactivé)[/]" if disabled else ""
            console.print(f"{escape(login)}  {escape(name)}  {role}  {', '.join(services) or '—'}{state}")


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Adresse d'écoute (web.host).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (web.port).")] = None,
) -> None:
    """Lancer l'interface web des agents (derrière un proxy HTTPS en production)."""
    import uvicorn

    from web.app import create_app

    with open_context() as ctx:
        settings = ctx.settings.web
        uvicorn.run(create_app(ctx), host=host or settings.host, port=port or settings.port, proxy_headers=True,
                    log_level="warning")


tokens_app = typer.Typer(help="Jetons d'API des comptes (scripts et robots).", no_args_is_help=True)
users_app.add_typer(tokens_app, name="token")


@tokens_app.command("create")
def token_create(
    login: Annotated[str, typer.Argument(help="Compte au nom duquel le jeton agit.")],
    name: Annotated[str, typer.Option("--name", help="À quoi sert le jeton.")],
    read_only: Annotated[bool, typer.Option("--read-only", help="Lecture seule.")] = False,
    days: Annotated[int, typer.Option("--days", help="Validité en jours (0 : sans fin).")] = 365,
) -> None:
    """Créer un jeton d'API ; il est affiché une seule fois."""
    from ged.services import tokens

    with open_context() as ctx:
        view, secret = tokens.create(ctx, login, name, read_only=read_only, days=days or None, actor=cli_actor())
    console.print(f"Jeton {view.id} « {escape(view.name)} » pour {escape(login)} (à copier, il ne sera plus affiché) :")
    console.print(secret, markup=False, highlight=False)


@tokens_app.command("list")
def token_list(login: Annotated[str, typer.Argument(help="Compte.")]) -> None:
    """Les jetons d'un compte (jamais leur valeur)."""
    from ged import labels
    from ged.services import tokens

    with open_context() as ctx:
        for view in tokens.listed(ctx, login):
            state = f"révoqué le {labels.local_time(view.revoked_at)}" if view.revoked_at else (
                f"expire le {labels.local_time(view.expires_at)}" if view.expires_at else "sans fin")
            console.print(f"{view.id}  {escape(view.name)}  {view.prefix}…  "
                          f"{'lecture seule' if view.read_only else 'lecture et écriture'}  {state}")


@tokens_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="Numéro du jeton (ged users token list).")]) -> None:
    """Révoquer un jeton : il cesse de fonctionner immédiatement."""
    from ged.services import tokens

    with open_context() as ctx:
        view = tokens.revoke(ctx, token_id, actor=cli_actor())
    console.print(f"Jeton {view.id} « {escape(view.name)} » de {escape(view.login)} révoqué")
