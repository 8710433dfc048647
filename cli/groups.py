"""Command groups whose first word may be an argument of a default command (``ged search éclairage``)."""

from __future__ import annotations

import typer
from typer.core import TyperGroup


def default_command_group(default: str) -> type[TyperGroup]:
    """A group that runs ``default`` unless a subcommand is named (``ged archive 12`` / ``ged archive audit``)."""

    class _DefaultFirst(TyperGroup):
        def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
            if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
                args = [default, *args]
            return super().parse_args(ctx, args)

    return _DefaultFirst
