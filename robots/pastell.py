"""Pastell's deposit folders, both ways: deposits its connectors write are taken in
(``releve_pastell``), and documents are written out for its collector (``deposer_pastell``).

Only the folder walk is here; reading a deposit, registering it once and writing one are
``ged.services.deposits``. A deposit that cannot be taken goes to ``erreurs/`` with its reason,
never deleted; one taken goes to ``traites/`` after its documents and ledger row are committed.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import MutableMapping

from ged.context import Context
from ged.errors import InvalidValue
from ged.services import deposits

from .definitions import PastellIntake


def _mapping(spec: PastellIntake) -> deposits.DepositMapping:
    names = {f.name for f in dataclasses.fields(deposits.DepositMapping)}
    return deposits.DepositMapping(**spec.model_dump(include=names))


def take_deposits(ctx: Context, spec: PastellIntake, counts: MutableMapping[str, int], *, actor: str,
                  dry_run: bool) -> None:
    """Counted as it goes, so a pass that stops half-way still reports what it took."""
    for key in ("depots", "en_cours", "pris", "demandes", "deja_recus", "refuses"):
        counts[key] = counts.get(key, 0)
    folder = ctx.settings.resolve(spec.folder)
    layout = deposits.Layout(spec.part_suffix, spec.done_marker, spec.require_marker, spec.settle_seconds)
    source = f"pastell:{folder}"
    now = time.time()
    for path in deposits.waiting(folder, layout):
        counts["depots"] += 1
        if not deposits.is_ready(path, layout, now=now):
            counts["en_cours"] += 1
            continue
        if dry_run:
            continue
        try:
            with deposits.opened(path, layout, max_bytes=ctx.settings.limits.max_file_bytes) as deposit:
                taken = deposits.take(ctx, deposit, _mapping(spec), source=source, actor=actor)
        except InvalidValue as exc:  # the deposit as it is cannot be taken: set aside with the reason
            deposits.file_away(path, deposits.Placement.REFUSED, reason=str(exc))
            counts["refuses"] += 1
            continue
        deposits.file_away(path, deposits.Placement.TAKEN)
        counts["deja_recus" if taken.already else "pris"] += 1
        counts["demandes"] += bool(taken.request)
