"""Opening the installation for a command."""

from __future__ import annotations

import getpass

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
