"""The agents' pages at scale: the desk, a request, the review list and the dashboard, at 100,000
documents and 20,000 requests, on SQLite and PostgreSQL, against the code of a baseline revision.

Builds the installation through the product's models (the documents and texts of ``bench.search``,
requests spread over types, services, statuses, agents and seven years, each on one of the
documents), indexes it with ``ged search reindex``, then asks each page over HTTP in process (the
FastAPI app with its templates, as a browser gets it) from a fresh process per code version, the
versions interleaved round after round. Prints wall and CPU milliseconds per page, p50 and p95,
beside the baseline's.

    .venv/bin/python -m bench.desk [--documents 100000] [--requests 20000] [--databases sqlite,postgresql]
                                   [--baseline 913b817] [--rounds 3] [--repeat 10]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from .measure import run
from .search import GED, PYTHON, ROOT, build, texts

PASSWORD = "un mot de passe solide"
_STATUSES = (("nouvelle", 25), ("en_cours", 30), ("en_attente", 10), ("cloturee", 35))
AGENTS = [f"agent{n:02d}" for n in range(12)]


def add_requests(home: Path, count: int, seed: int) -> None:
    """Requests on documents of request types, numbered per year and category, with agents and
    statuses; the accounts the pages are asked by."""
    from sqlalchemy import bindparam, insert, select, update

    from ged.context import Context
    from ged.db.models import Document, Request
    from ged.services import accounts
    from ged.settings import load_settings

    with Context.open(load_settings(home=home)) as ctx:
        rng = random.Random(seed)
        kinds = {code: t for code, t in ctx.settings.types.items() if t.category}
        statuses = [s for s, weight in _STATUSES for _ in range(weight)]
        with ctx.db.session() as session:
            candidates = list(session.execute(select(Document.id, Document.doc_type, Document.received_at)
                                              .where(Document.doc_type.in_(sorted(kinds)))))
        chosen = rng.sample(candidates, min(count, len(candidates)))
        chosen.sort(key=lambda row: row.received_at)
        sequences: dict[tuple[int, str], int] = {}
        rows, links = [], []
        for number, (document_id, doc_type, received_at) in enumerate(chosen, start=1):
            kind = kinds[doc_type]
            key = (received_at.year, str(kind.category))
            sequences[key] = sequences.get(key, 0) + 1
            status = rng.choice(statuses)
            received = received_at.date()
            rows.append({"id": number, "number": f"{key[0]}-{key[1]}-{sequences[key]:06d}", "year": key[0],
                         "category": key[1], "doc_type": doc_type, "service": kind.service, "status": status,
                         "requester": f"M. Usager {number}", "contact": None, "file_reference": None,
                         "received_on": received, "due_on": received + timedelta(days=rng.choice((10, 30, 60))),
                         "silence": "sans_objet", "silence_on": None, "basis": "délai de 30 jours",
                         "assignee": rng.choice([None, *AGENTS]) if status != "nouvelle" else None,
                         "created_at": received_at,
                         "closed_at": (received_at + timedelta(days=rng.randint(1, 90))
                                       if status == "cloturee" else None)})
            links.append({"key": document_id, "request": number})
        with ctx.db.session() as session:
            for first in range(0, len(rows), 2000):
                session.execute(insert(Request), rows[first:first + 2000])
            session.connection().execute(update(Document.__table__).where(Document.__table__.c.id == bindparam("key"))
                                         .values(request_id=bindparam("request")), links)
        services = sorted({t.service for t in kinds.values()})
        accounts.add_user(ctx, "agent00", "Agent de deux services", "agent", services[:2], PASSWORD, actor="bench")
        accounts.add_user(ctx, "admin", "Administratrice", "admin", [], PASSWORD, actor="bench")


# -- one measuring process -------------------------------------------------------------------------
def measure(home: Path, repeat: int, pages: list[str], *, baseline: bool) -> dict[str, list[list[float]]]:
    """In this process (the code on ``sys.path``): each page asked ``repeat`` times after one warm-up."""
    from fastapi.testclient import TestClient

    from ged.context import Context
    from ged.settings import load_settings
    from web.app import create_app

    os.environ["GED_WEB__SECURE_COOKIES"] = "false"  # the test client speaks plain HTTP
    with Context.open(load_settings(home=home)) as ctx:
        app = create_app(ctx)
        found: dict[str, list[list[float]]] = {}
        for login in ("agent00", "admin"):
            client = TestClient(app)
            signed = client.post("/connexion", data={"login": login, "password": PASSWORD}, follow_redirects=False)
            assert signed.status_code == 303, signed.text[:200]
            for page in pages:
                if not page.startswith(login + " "):
                    continue
                path = page.split(" ", 1)[1]
                if baseline:
                    path = BASELINE_PATHS.get(path, path)
                response = client.get(path, follow_redirects=False) if path else None
                if response is None or response.status_code != 200:
                    found[page] = []  # this version has no such page
                    continue
                samples = []
                for _ in range(repeat):
                    wall, cpu = time.perf_counter(), time.process_time()
                    response = client.get(path, follow_redirects=False)
                    samples.append([(time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000,
                                    len(response.content) / 1000])
                found[page] = samples
    return found


def pages_to_ask(home: Path) -> list[str]:
    from sqlalchemy import select

    from ged.context import Context
    from ged.db.models import Request
    from ged.settings import load_settings

    with Context.open(load_settings(home=home)) as ctx, ctx.db.session() as session:
        number = session.scalar(select(Request.number).order_by(Request.id.desc()).limit(1))
    return ["agent00 /demandes", "agent00 /demandes?corbeille=mes-demandes", "agent00 /demandes?corbeille=en-retard",
            "admin /demandes?corbeille=toutes&page=200", "admin /api/demandes?corbeille=en-retard",
            f"admin /demandes/{number}", "agent00 /a-verifier", "agent00 /tableau-de-bord",
            "admin /tableau-de-bord", "admin /api/tableau-de-bord"]


BASELINE_PATHS = {"/demandes?corbeille=mes-demandes": "", "/demandes?corbeille=en-retard": "/demandes?retard=true",
                  "/demandes?corbeille=toutes&page=200": "/demandes",
                  "/api/demandes?corbeille=en-retard": "/api/demandes?retard=true"}
"""What the baseline had for each page: its list of all requests (or of the overdue ones), no
baskets, no pages, no request page (then nothing is measured)."""


def _child(code: Path, home: Path, env: dict[str, str], repeat: int, pages: list[str]) -> dict[str, Any]:
    """The baseline's worktree has no bench.desk: this module runs from the current tree, the pages'
    code from ``code`` (put first on the path before anything of the product is imported)."""
    result = subprocess.run(
        [PYTHON, "-m", "bench.desk", "--measure", str(home), "--code", str(code), "--repeat", str(repeat),
         "--pages", json.dumps(pages), *(["--as-baseline"] if code != ROOT else [])],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True, check=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--baseline", default="913b817", help="revision whose pages are measured beside")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=10, help="requests per page and round (baseline: 2)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--pages", help=argparse.SUPPRESS)
    parser.add_argument("--as-baseline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--code", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        sys.path.insert(0, str(args.code))
        print(json.dumps(measure(args.measure, args.repeat, json.loads(args.pages), baseline=args.as_baseline)))
        return
    with tempfile.TemporaryDirectory(prefix="ged-bench-desk-") as folder:
        baseline_code = Path(folder) / "baseline"
        subprocess.run(["git", "worktree", "add", "--detach", str(baseline_code), args.baseline], cwd=ROOT,
                       check=True, capture_output=True)
        try:
            bodies = texts(args.documents, args.seed)
            for database in args.databases.split(","):
                _one_database(Path(folder) / database, database, bodies, args, baseline_code)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(baseline_code)], cwd=ROOT, check=False)


def _one_database(home: Path, database: str, bodies: list[str], args: argparse.Namespace,
                  baseline_code: Path) -> None:
    server = None
    env = {"GED_HOME": str(home)}
    if database == "postgresql":
        sys.path.insert(0, str(ROOT))
        from tests.postgres import PostgresServer, find_bindir

        bindir = find_bindir()
        if bindir is None:
            print("PostgreSQL absent (paquet postgresql) : mesure ignorée")
            return
        server = PostgresServer(bindir)
        env["GED_DATABASE_URL"] = server.start()
    os.environ.update(env)
    try:
        began = time.perf_counter()
        build(home, bodies, args.seed)
        add_requests(home, args.requests, args.seed)
        reindex = run([GED, "search", "reindex"], env=env)
        print(f"\n== {database}: {args.documents} documents, {args.requests} requests built in "
              f"{time.perf_counter() - began:.0f} s (reindex {reindex.wall:.0f} s)")
        pages = pages_to_ask(home)
        now: dict[str, list[list[float]]] = {page: [] for page in pages}
        before: dict[str, list[list[float]]] = {page: [] for page in pages}
        for _ in range(args.rounds):  # interleaved: the machine's drift hits both alike
            for page, samples in _child(ROOT, home, env, args.repeat, pages).items():
                now[page] += samples
            for page, samples in _child(baseline_code, home, env, 2, pages).items():
                before[page] += samples
        print(f"{'page (as whom)':<46}{'now: wall p50/p95':>19}{'CPU p50':>9}{'KB':>7}"
              f"{'baseline: wall p50/p95':>25}{'CPU p50':>9}{'KB':>7}")
        for page in pages:
            cells = []
            for samples in (now[page], before[page]):
                if not samples:
                    cells.append(f"{'—':>19}{'':>9}{'':>7}" if samples is now[page] else f"{'—':>25}{'':>16}")
                    continue
                walls, cpus, sizes = ([s[i] for s in samples] for i in range(3))
                width = 19 if samples is now[page] else 25
                cells.append(f"{f'{_p(walls, .5):.0f} / {_p(walls, .95):.0f} ms':>{width}}"
                             f"{statistics.median(cpus):>7.0f}ms{statistics.median(sizes):>7.0f}")
            print(f"{page:<46}{cells[0]}{cells[1]}")
    finally:
        if server is not None:
            server.stop()
            os.environ.pop("GED_DATABASE_URL", None)


if __name__ == "__main__":
    main()
