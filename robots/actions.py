"""The registry of actions a robot may list, each a thin call to a service of the core.

Every action that reaches the outside world (a mail, a webhook) goes through the delivery
ledger with a key that names what it is about, so a run repeated after a crash skips what
was already sent. In a dry run nothing is sent, written or changed: the counts say what
would have been done.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import tempfile
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from ged.context import Context
from ged.errors import GedError, NotConfigured, NotFound, Transient
from ged.services import (
    archiving,
    attestation,
    automation,
    casework,
    deposits,
    fixity,
    integrity,
    mail,
    retention,
    search,
    selection,
)

from . import definitions as d
from .demarches import take_demarche
from .mailbox import take_mailbox
from .pastell import take_deposits


@dataclass
class Run:
    ctx: Context
    robot: d.Robot
    items: list[selection.Item]
    dry_run: bool
    trigger: str
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def actor(self) -> str:
        return f"robot:{self.robot.name}"

    def deliver(self, key: str, send: Callable[[], object]) -> bool:
        """Send once per key, ever; False when it was already sent (or a dry run)."""
        if self.dry_run:
            self.counts["simule"] += 1
            return False
        if not automation.claim_delivery(self.ctx, self.robot.name, key):
            self.counts["deja_envoye"] += 1
            return False
        try:
            send()
        except GedError:
            automation.forget_delivery(self.ctx, self.robot.name, key)
            raise
        automation.confirm_delivery(self.ctx, self.robot.name, key)
        return True


def _addresses(run: Run, configured: list[str], service: str | None) -> list[str]:
    if configured:
        return configured
    found = run.ctx.settings.services.get(service or "")
    return [found.email] if found and found.email else []


def notify(run: Run, spec: d.Notify) -> None:
    for item in run.items:
        body = "\n".join(["Bonjour,", "", f"Le robot « {run.robot.name} » signale : {run.trigger}.", ""]
                         + [f"{k} : {v}" for k, v in item.data.items() if v is not None]
                         + ["", "— GED de " + run.ctx.settings.commune.name])
        subject = spec.subject.format(event=run.trigger, titre=item.title)
        to = _addresses(run, spec.to, item.service)
        if run.deliver(f"notifier:{run.trigger}:{item.key}",
                       partial(_mail, run, to, subject, body, item.key)):
            run.counts["courriels"] += 1


def _mail(run: Run, to: list[str], subject: str, body: str, key: str) -> None:
    mail.send(run.ctx, to, subject, body, message_key=hashlib.sha256(f"{run.robot.name}:{key}".encode())
              .hexdigest()[:16])


def digest(run: Run, spec: d.Digest) -> None:
    """Each service's open requests due within ``days_ahead`` days, overdue ones first, in one mail a day."""
    today = run.ctx.clock().date()
    horizon = today + timedelta(days=spec.days_ahead)
    by_service: dict[str, list[casework.RequestView]] = defaultdict(list)
    for view in casework.list_requests(run.ctx):
        if not view.closed and view.due_on is not None and view.due_on <= horizon:
            by_service[view.service].append(view)
    for service, views in sorted(by_service.items()):
        overdue = [v for v in views if v.overdue]
        label = run.ctx.settings.services[service].label if service in run.ctx.settings.services else service
        lines = ["Bonjour,", "", f"Demandes du service {label} à traiter au {today:%d/%m/%Y} :", ""]
        for view in views:
            late = " — EN RETARD" if view.overdue else ""
            lines.append(f"- {view.number} ({view.type_label}), échéance {view.due_on:%d/%m/%Y}{late}, "
                         f"{view.requester or 'demandeur inconnu'}, {view.status_label}"
                         + (f", agent {view.assignee}" if view.assignee else ""))
        lines += ["", f"{len(views)} demande(s), dont {len(overdue)} en retard.", "",
                  "— GED de " + run.ctx.settings.commune.name]
        subject = f"[GED] {label} : {len(overdue)} demande(s) en retard, {len(views) - len(overdue)} à échéance"
        to = _addresses(run, spec.to, service)
        if run.deliver(f"synthese:{service}:{today.isoformat()}",
                       partial(_mail, run, to, subject, "\n".join(lines), f"synthese:{service}:{today}")):
            run.counts["courriels"] += 1
        run.counts["demandes"] += len(views)


def export(run: Run, spec: d.Export) -> None:
    """The items (or every request) as CSV or JSON, written atomically into the folder."""
    items = run.items or selection.requests_of(run.ctx, selection.Criteria())
    rows = [item.data for item in items]
    run.counts["lignes"] += len(rows)
    if run.dry_run:
        return
    folder = run.ctx.settings.resolve(spec.folder)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{run.robot.name}-{run.ctx.clock():%Y%m%d-%H%M%S}.{spec.format}"
    if spec.format == "json":
        data = json.dumps(rows, ensure_ascii=False, indent=2).encode()
    else:
        buffer = io.StringIO()
        columns = sorted({key for row in rows for key in row})
        writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
        data = ("\ufeff" + buffer.getvalue()).encode()  # BOM: spreadsheets then read the accents right
    with tempfile.NamedTemporaryFile(dir=folder, prefix=".tmp-", delete=False) as temp:
        temp.write(data)
    Path(temp.name).replace(folder / name)
    run.counts["fichiers"] += 1


def webhook(run: Run, spec: d.Webhook) -> None:
    """POST each item as JSON, signed with HMAC-SHA256 of the body (header ``X-GED-Signature``)."""
    secret = os.environ.get(spec.secret_env or "") if spec.secret_env else None
    if spec.secret_env and secret is None:
        raise NotConfigured(f"clé du webhook absente (variable {spec.secret_env})")
    for item in run.items:
        body = json.dumps({"robot": run.robot.name, "evenement": run.trigger, "element": item.data},
                          ensure_ascii=False).encode()
        if run.deliver(f"webhook:{run.trigger}:{item.key}", partial(_post, spec.url, body, secret)):
            run.counts["webhooks"] += 1


def _post(url: str, body: bytes, secret: str | None) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if secret:
        headers["X-GED-Signature"] = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - configured URL
            response.read()
    except urllib.error.HTTPError as exc:
        if exc.code >= 500 or exc.code == 429:
            raise Transient(f"webhook {url} : {exc.code}") from exc
        raise NotConfigured(f"webhook {url} refusé : {exc.code}") from exc
    except OSError as exc:
        raise Transient(f"webhook {url} injoignable : {exc}") from exc


def route(run: Run, spec: d.Route) -> None:
    for item in run.items:
        if item.request and not run.dry_run:
            casework.assign(run.ctx, item.request, spec.assignee, actor=run.actor)
        run.counts["attribuees"] += bool(item.request)


def set_status(run: Run, spec: d.SetStatus) -> None:
    casework.parse_status(spec.status)
    for item in run.items:
        if item.request and not run.dry_run:
            casework.set_status(run.ctx, item.request, spec.status, actor=run.actor)
        run.counts["statuts"] += bool(item.request)


def simple(run: Run, spec: d.Simple) -> None:
    if spec.action == "retention_echeances":
        run.counts["echeances"] += len(retention.due(run.ctx))
    elif run.dry_run:
        run.counts["simule"] += 1
    elif spec.action == "retention_proposer":
        try:
            proposed = retention.propose(run.ctx, actor=run.actor)
            run.counts["proposes"] += len(proposed.records)
        except NotFound:
            run.counts["proposes"] += 0
    elif spec.action == "audit_archives":
        results = archiving.audit(run.ctx, actor=run.actor)
        run.counts["controles"] += len(results)
        run.counts["anomalies"] += sum(not r.ok for r in results)
    elif spec.action == "reindexer":
        run.counts["indexes"] += search.reindex(run.ctx)
    elif spec.action == "controle_fichiers":
        checked = fixity.check_share(run.ctx, run.ctx.clock().date(), actor=run.actor)
        run.counts["fichiers"] += checked.checked
        run.counts["anomalies"] += len(checked.damaged) + len(checked.artefacts)
    elif spec.action == "completer_attestations":
        run.counts["attestes"] += len(attestation.complete_pending(run.ctx, actor=run.actor))


def seal(run: Run, spec: d.Seal) -> None:
    """Seal the journal; mail the seal to the archivist, so that a copy of the log lives in another system."""
    if run.dry_run:
        run.counts["simule"] += 1
        return
    sealed = integrity.seal(run.ctx, actor=run.actor)
    run.counts["sceaux"] += 1
    if not spec.to:
        return
    body = "\n".join(["Bonjour,", "", f"Le journal de la GED a été scellé jusqu'à l'entrée {sealed.head_id} "
                       f"({sealed.line.entries} entrées). Conservez ce courriel : il permet de prouver que le "
                       "journal n'a pas été réécrit depuis (docs/evidence.md).", "",
                       "Ligne du registre des sceaux :", sealed.log_text(), "", "— GED de "
                       + run.ctx.settings.commune.name])
    key = f"sceau:{sealed.event_id}"
    if run.deliver(key, lambda: _mail(run, spec.to, f"[GED] Sceau du journal n° {sealed.event_id}", body, key)):
        run.counts["courriels"] += 1


def mailbox(run: Run, spec: d.Mailbox) -> None:
    taken = take_mailbox(run.ctx, spec, actor=run.actor, dry_run=run.dry_run)
    for key, value in taken.items():
        run.counts[key] += value


def demarches(run: Run, spec: d.Demarches) -> None:
    take_demarche(run.ctx, spec, run.counts, actor=run.actor, dry_run=run.dry_run)


def pastell_intake(run: Run, spec: d.PastellIntake) -> None:
    take_deposits(run.ctx, spec, run.counts, actor=run.actor, dry_run=run.dry_run)


def pastell_export(run: Run, spec: d.PastellExport) -> None:
    """Each selected document written once for Pastell's collector (the delivery ledger keeps the once)."""
    shape = deposits.ExportShape(spec.flux, spec.element, spec.packaging, spec.metadata, spec.done_marker, spec.version)
    folder = run.ctx.settings.resolve(spec.folder)
    for item in run.items:
        if item.document_id is None:
            run.counts["ignores"] += 1
            continue
        document_id = item.document_id
        if run.deliver(f"pastell:{folder}:{document_id}", partial(deposits.export_document, run.ctx, document_id,
                                                                  folder, shape, actor=run.actor)):
            run.counts["deposes"] += 1


REGISTRY: dict[type[Any], Callable[[Run, Any], None]] = {
    d.Notify: notify, d.Digest: digest, d.Export: export, d.Webhook: webhook, d.Route: route,
    d.SetStatus: set_status, d.Simple: simple, d.Seal: seal, d.Mailbox: mailbox, d.Demarches: demarches,
    d.PastellIntake: pastell_intake, d.PastellExport: pastell_export,
}
