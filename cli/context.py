"""Opening the installation for a command."""

from __future__ import annotations

import getpass
from datetime import datetime

import typer

from ged.context import Context
from ged.settings import load_settings


def open_context() -> Context:
    return Context.open(load_settings())


def cli_actor() -> str:
    """Who is acting, for the journal."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def day_option(value: str) -> datetime:
    """A day given on the command line (AAAA-MM-JJ), or a French usage error."""
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError as exc:
        raise typer.BadParameter(f"date attendue au format AAAA-MM-JJ : {value}") from exc
