"""``ged robots`` and ``ged daemon``: the declared robots, their runs, and the daemon that runs them."""

from __future__ import annotations

import signal
import threading
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from ged.errors import ExitCode

from ..context import open_context
from ..output import console, print_json

if TYPE_CHECKING:
    from robots.definitions import Robot
    from robots.runner import RunResult

app = typer.Typer(help="Robots : tâches planifiées ou déclenchées par des événements (GED_HOME/robots/*.toml).",
                  no_args_is_help=True)


def _describe(robot: Robot) -> str:
    trigger = robot.spec.trigger
    if trigger.cron:
        return f"cron « {trigger.cron} »"
    if trigger.interval_minutes:
        return f"toutes les {trigger.interval_minutes} min"
    return f"événement {trigger.event}"


@app.command("list")
def list_(json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False) -> None:
    """Les robots déclarés, leur déclencheur et leurs actions ; les fichiers invalides avec leur erreur."""
    from robots.definitions import load_robots

    with open_context() as ctx:
        robots, errors = load_robots(ctx.settings.robots_path)
    if json_output:
        print_json({"robots": [{"name": r.name, "enabled": r.spec.enabled, "trigger": _describe(r),
                                "actions": [a.action for a in r.spec.actions], "description": r.spec.description}
                               for r in robots],
                    "errors": [{"file": str(e.path), "line": e.line, "problem": e.problem} for e in errors]})
    else:
        for robot in robots:
            state = "" if robot.spec.enabled else " [dim](désactivé)[/]"
            console.print(f"[bold]{robot.name}[/]{state} — {_describe(robot)} → "
                          f"{', '.join(a.action for a in robot.spec.actions)}  {escape(robot.spec.description)}")
        for error in errors:
            console.print(f"[red]✖[/] {escape(str(error))}")
    raise typer.Exit(ExitCode.BAD_INPUT if errors else ExitCode.OK)


@app.command("run-once")
def run_once(
    name: Annotated[str, typer.Argument(help="Nom du robot (nom de son fichier sans .toml).")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Simuler : ne rien envoyer ni modifier.")] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Lancer un robot maintenant (une fois)."""
    from robots.definitions import RobotFileError, load_robot
    from robots.runner import run_robot

    with open_context() as ctx:
        path = ctx.settings.robots_path / f"{name}.toml"
        if not path.is_file():
            console.print(f"[red]✖[/] robot {escape(name)} introuvable dans {ctx.settings.robots_path}")
            raise typer.Exit(ExitCode.NOT_FOUND)
        robot = load_robot(path)
        if isinstance(robot, RobotFileError):
            console.print(f"[red]✖[/] {escape(str(robot))}")
            raise typer.Exit(ExitCode.BAD_INPUT)
        result = run_robot(ctx, robot, trigger="manuel", dry_run=dry_run)
    if json_output:
        print_json(result.__dict__)
    else:
        counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
        mark = "[green]✔[/]" if result.succeeded else "[red]✖[/]"
        console.print(f"{mark} {robot.name} : {result.outcome} ({counts})"
                      + (f" — {escape(result.error)}" if result.error else ""))
    raise typer.Exit(ExitCode.OK if result.succeeded else ExitCode.INTERNAL)


@app.command("history")
def history(
    name: Annotated[str | None, typer.Argument(help="Nom du robot (tous sinon).")] = None,
    limit: Annotated[int, typer.Option("--limit", help="Nombre d'exécutions.")] = 20,
    json_output: Annotated[bool, typer.Option("--json", help="Sortie JSON.")] = False,
) -> None:
    """Les dernières exécutions : début, fin, résultat, compteurs, erreur."""
    from ged.services import automation

    with open_context() as ctx:
        runs = automation.history(ctx, name, limit=limit)
    if json_output:
        print_json([{**r.__dict__, "started_at": r.started_at.isoformat(timespec="seconds"),
                     "ended_at": r.ended_at.isoformat(timespec="seconds") if r.ended_at else None} for r in runs])
        return
    for r in runs:
        counts = ", ".join(f"{k} {v}" for k, v in r.counts.items())
        console.print(f"{r.started_at:%d/%m/%Y %H:%M:%S}  {r.robot}  {r.outcome}  ({r.trigger}; {counts})"
                      + (f" — {escape(r.error)}" if r.error else ""))


def _stop_event() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def _report(result: RunResult) -> None:
    console.print(f"{result.robot} : {result.outcome} {result.counts}"
                  + (f" — {escape(result.error)}" if result.error else ""))


@app.command("run")
def run() -> None:
    """Le démon des robots : exécute chaque robot à son heure ou à ses événements, jusqu'à SIGTERM."""
    from ged.clock import utc_now
    from robots.daemon import run_robots

    with open_context() as ctx:
        stop = _stop_event()
        console.print(f"Robots de {ctx.settings.robots_path} — Ctrl+C ou SIGTERM pour arrêter")
        run_robots(ctx, stop, clock=utc_now, on_result=_report)
    console.print("Arrêt propre des robots.")


def daemon() -> None:
    """Surveillance des dossiers et robots ensemble (installation sur une seule machine)."""
    from ged.clock import utc_now
    from ged.services.mailroom import MailroomService
    from robots.daemon import run_robots
    from robots.watcher import FolderWatcher

    stop = _stop_event()
    with open_context() as watch_ctx, open_context() as robots_ctx:
        folders = watch_ctx.settings.watch.folders
        threads = [threading.Thread(target=run_robots, args=(robots_ctx, stop),
                                    kwargs={"clock": utc_now, "on_result": _report}, name="robots")]
        if folders:
            watcher = FolderWatcher(MailroomService(watch_ctx), folders, watch_ctx.settings.watch)
            threads.append(threading.Thread(target=watcher.run, args=(stop,), name="courrier"))
        for thread in threads:
            thread.start()
        console.print(f"GED en service : {len(folders)} dossier(s) surveillé(s), robots de "
                      f"{robots_ctx.settings.robots_path} — SIGTERM pour arrêter")
        while any(t.is_alive() for t in threads):
            for thread in threads:
                thread.join(timeout=1)
    console.print("Arrêt propre : lot en cours terminé, robots arrêtés.")
