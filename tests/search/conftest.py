"""The engines the contract tests run on; each test gets a fresh, empty engine.

- ``embedded``: tantivy, always.
- ``elasticsearch``: a real cluster, when ``GED_TEST_ELASTICSEARCH_URL`` is set.
- ``es-protocole``: otherwise, the same engine code against noida-db, an Elasticsearch REST API
  emulator from PyPI started by the tests. It checks our requests and the client's handling of
  the responses (index template, aliases, bulk, analysis chain, fuzzy/phrase queries, highlight,
  aggregations); it is not Elasticsearch (brute-force search, its own analysis), so ranking and
  performance are not tested there.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ged.search import EmbeddedEngine, SearchEngine
from ged.search.elastic import ElasticConnection, ElasticEngine

from ..helpers import free_port

REAL_ES = os.environ.get("GED_TEST_ELASTICSEARCH_URL")
NOIDA = Path(sys.executable).parent / "noida-db"


def pytest_report_header(config: pytest.Config) -> list[str]:
    if REAL_ES:
        return [f"elasticsearch: {REAL_ES} (GED_TEST_ELASTICSEARCH_URL)"]
    return ["elasticsearch: GED_TEST_ELASTICSEARCH_URL unset — contract tests run against noida-db "
            "(protocol check, not Elasticsearch)"]


@pytest.fixture(scope="session")
def es_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real cluster's URL, or an emulator started for the session."""
    if REAL_ES:
        yield REAL_ES
        return
    if not NOIDA.exists() and shutil.which("noida-db") is None:
        pytest.skip("noida-db absent (pip install noida-db) : contrat Elasticsearch non vérifié")
    port = free_port()
    data = tmp_path_factory.mktemp("noida")
    server = subprocess.Popen([str(NOIDA if NOIDA.exists() else "noida-db"), "start", "--only", "elasticsearch",
                               "--elasticsearch-port", str(port), "--data-dir", str(data)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None:
                pytest.skip("noida-db n'a pas démarré sur cette machine : contrat Elasticsearch non vérifié")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    # The whole group: the installed ``noida-db`` is a Python wrapper that runs the server as its
    # child, and terminating the wrapper alone left the server running after the tests.
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=20)


ENGINES = ["embedded", "elasticsearch" if REAL_ES else "es-protocole"]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> SearchEngine:
    if request.param == "embedded":
        return EmbeddedEngine(tmp_path / "index")
    url: str = request.getfixturevalue("es_url")
    return ElasticEngine(ElasticConnection(url=url, index_prefix=f"test-{uuid.uuid4().hex[:10]}"))
