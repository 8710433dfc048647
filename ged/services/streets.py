"""The commune's street list, imported from a BAN extract, that addresses in the commune are snapped to."""

from __future__ import annotations

import os
from pathlib import Path

import classifiers

from .. import journal
from ..context import Context
from ..errors import InvalidValue, NotFound


def import_ban(ctx: Context, source: Path, *, commune: str | None, actor: str) -> int:
    """Replaces the street list with the distinct ``nom_voie`` of a BAN "adresses" CSV; the count."""
    if not source.is_file():
        raise NotFound(f"fichier introuvable : {source}")
    try:
        with source.open(encoding="utf-8-sig", newline="") as stream:
            names = classifiers.parse_ban_csv(stream, commune=commune)
    except UnicodeDecodeError as exc:
        raise InvalidValue(f"{source.name} n'est pas un CSV en UTF-8 ({exc.reason})") from exc
    except ValueError as exc:
        raise InvalidValue(f"{source.name} : {exc}") from exc
    if not names:
        raise InvalidValue(f"aucune voie dans {source.name}" + (f" pour la commune {commune}" if commune else ""))
    target = ctx.settings.resolve(ctx.settings.commune.streets_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as stream:
        stream.write("\n".join(names) + "\n")
        stream.flush()
        os.fsync(stream.fileno())
    temporary.replace(target)
    with ctx.db.session() as session:
        journal.append(session, "streets.imported", at=ctx.clock(), actor=actor,
                       payload={"source": source.name, "commune": commune, "streets": len(names)})
    return len(names)


def streets(ctx: Context) -> tuple[str, ...]:
    return ctx.classifier.streets
