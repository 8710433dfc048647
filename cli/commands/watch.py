"""``ged watch`` (the mail room's daemon) and ``ged status``."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from ..context import open_context
from ..output import console, print_json

_FILED = {
    "done": "[green]✔[/] {name} → document {doc}, classé dans done/",
    "quarantine": "[red]✖[/] {name} → quarantaine : {reason}",
    "duplicates": "[cyan]≡[/] {name} → duplicates/ (doublon du document {dup})",
}


def watch(
    folders: Annotated[list[Path] | None, typer.Argument(
        help="Dossiers à surveiller (par défaut : ceux de [watch] dans ged.toml).")] = None,
    once: Annotated[bool, typer.Option("--once", help="Traiter ce qui est complet puis s'arrêter (cron).")] = False,
    polling: Annotated[bool | None, typer.Option(
        "--polling/--inotify", help="Scruter périodiquement (partages SMB/NFS) ou écouter le noyau.")] = None,
) -> None:
    """Surveiller les dossiers de numérisation : chaque fichier complet est intégré puis classé."""
    from ged.services.mailroom import Filed, MailroomService
    from ged.settings import WatchedFolder
    from robots.watcher import FolderWatcher

    with open_context() as ctx:
        settings = ctx.settings.watch
        if polling is not None:
            settings = settings.model_copy(update={"polling": polling})
        configured = {f.path.resolve(): f for f in settings.folders}
        chosen = ([configured.get(p.resolve(), WatchedFolder(path=p.resolve())) for p in folders] if folders
                  else list(configured.values()))
        if not chosen:
            raise typer.BadParameter("aucun dossier : indiquez-en un ou configurez [[watch.folders]] dans ged.toml")

        def report(filed: Filed) -> None:
            r = filed.report
            if filed.placement is None:
                if r.document_id is not None:  # a further segment of a batch already filed
                    console.print(f"  └ document {r.document_id} (pages {r.page_count or '?'} du lot)")
                return
            console.print(_FILED[filed.placement].format(name=escape(Path(r.source).name), doc=r.document_id,
                                                         reason=escape(r.reason or ""), dup=r.duplicate_of))

        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        watcher = FolderWatcher(MailroomService(ctx), chosen, settings, on_filed=report)
        if once:
            watcher.run_once(stop)
        else:
            console.print("Surveillance de " + ", ".join(escape(str(f.path)) for f in chosen)
                          + (" (scrutation)" if settings.polling else "") + " — Ctrl+C ou SIGTERM pour arrêter")
            watcher.run(stop)
            console.print("Arrêt propre : le dernier lot a été terminé.")


def status(json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """État du service courrier : en attente, traités aujourd'hui, quarantaine, à vérifier ; file des workers."""
    from datetime import timedelta

    from ged.labels import state_label
    from ged.services import queue
    from ged.services.mailroom import status as mailroom_status

    with open_context() as ctx:
        current = mailroom_status(ctx)
        jobs = queue.status(ctx, alive_within=timedelta(seconds=3 * ctx.settings.workers.heartbeat_seconds))
    if json_output:
        print_json(current.as_dict() | {"queue": {
            "pending": jobs.pending, "done_last_hour": jobs.done_last_hour, "failed": jobs.failed,
            "claimed": [{"document_id": d, "worker": w, "lease_until": t.isoformat(timespec="seconds")}
                        for d, w, t in jobs.claimed],
            "workers": [{"name": w.name, "state": w.state, "alive": w.alive, "documents": w.documents,
                         "pages": w.pages, "pages_per_minute": w.pages_per_minute} for w in jobs.workers]}})
        return
    if jobs.pending or jobs.claimed or jobs.workers:
        console.print(f"File de traitement : {jobs.pending} en attente, {len(jobs.claimed)} en cours, "
                      f"{jobs.done_last_hour} traité(s) dans l'heure, {jobs.failed} en échec")
        for w in jobs.workers:
            console.print(f"  worker {escape(w.name)} : {'actif' if w.alive else w.state}, {w.documents} doc., "
                          f"{w.pages} p., {w.pages_per_minute} p./min")
    for folder, count in current.waiting.items():
        console.print(f"En attente dans {escape(folder)} : {count}")
    total_today = sum(current.today.values())
    by_state = ", ".join(f"{n} {state_label(s)}" for s, n in sorted(current.today.items()))
    console.print(f"Reçus aujourd'hui : {total_today}" + (f" ({by_state})" if total_today else ""))
    console.print(f"En quarantaine : {len(current.quarantined)}"
                  + (f" (+{current.refused_unstored} trop volumineux, gardés en quarantaine seulement)"
                     if current.refused_unstored else ""))
    for item in current.quarantined:
        console.print(f"  {item['id']}  {escape(item['filename'])} — {escape(item['reason'] or '')}")
    console.print(f"À vérifier : {len(current.needs_review)}")
    for item in current.needs_review:
        console.print(f"  {item['id']}  {escape(item['filename'])} — {escape(item['reason'] or '')}")


def worker(
    idle_exit: Annotated[float | None, typer.Option("--idle-exit", help="S'arrêter après N secondes sans travail.")]
    = None,
) -> None:
    """Worker de traitement (plusieurs machines) : prend les documents en file et les traite, jusqu'à SIGTERM."""
    from robots.worker import run_worker, worker_name

    with open_context() as ctx:
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        name = worker_name()
        console.print(f"Worker {name} — base {ctx.db.dialect}, SIGTERM pour arrêter après le document en cours")
        done = run_worker(ctx, stop, name=name, idle_exit=idle_exit,
                          on_report=lambda r: console.print(f"document {r.document_id} : {r.outcome} "
                                                            f"({r.page_count or 0} p.)"))
    console.print(f"Arrêt propre du worker : {done} document(s) traité(s)")
