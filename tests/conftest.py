"""Shared fixtures: sample mail, an isolated GED home, the CLI in-process, PostgreSQL."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from examples.__main__ import generate
from ged.context import Context
from ged.settings import load_settings

from .postgres import PostgresServer, find_bindir

RESOURCES = Path(__file__).parent / "resources"


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = [f"tesseract: {shutil.which('tesseract') or 'ABSENT'}", f"gs: {shutil.which('gs') or 'ABSENT'}"]
    lines.append(f"postgresql: {find_bindir() or 'ABSENT (PostgreSQL tests will be skipped)'}")
    return lines


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The eight sample letters of ``examples/`` (generated once per session)."""
    folder = tmp_path_factory.mktemp("courrier")
    generate(folder)
    return folder


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL absent (paquet Debian postgresql) : tests PostgreSQL ignorés")
    server = PostgresServer(bindir)
    url = server.start()
    yield url
    server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs on SQLite and on PostgreSQL (fresh schema)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ged.sqlite3'}"
    url: str = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def shared_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default classification model, trained once per session (≈10 s) and shared by every home."""
    from ged.classification import Classifier

    folder = tmp_path_factory.mktemp("models")
    assert Classifier(load_settings(home=folder, classification={"models_dir": folder})).prepare()
    return folder


@pytest.fixture
def ged_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_models: Path) -> Path:
    home = tmp_path / "ged-data"
    monkeypatch.setenv("GED_HOME", str(home))
    for name in list(os.environ):
        if name.startswith("GED_") and name not in ("GED_HOME", "GED_TEST_ELASTICSEARCH_URL"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("GED_CLASSIFICATION__MODELS_DIR", str(shared_models))
    return home


@pytest.fixture
def context(ged_home: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Context]:
    """An initialised installation on the parametrised database."""
    monkeypatch.setenv("GED_DATABASE_URL", database_url)
    from ged.services.setup import init_home

    init_home(ged_home)
    ctx = Context.open(load_settings())
    yield ctx
    ctx.close()


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run ``ged ARGS`` in-process through the real entry point; returns code and output."""
    from cli.app import main

    def run(*args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "argv", ["ged", *map(str, args)])
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        from cli import output

        monkeypatch.setattr(output.console, "file", out)
        monkeypatch.setattr(output.errors, "file", err)
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def browser() -> Iterator[object]:
    """Headless Chromium driven by Selenium (Debian's chromium and chromedriver, installed by ``bin/test``)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    from .webserver import CHROMIUM, DRIVER

    if not (CHROMIUM and DRIVER):
        pytest.skip("chromium ou chromium-driver absent (paquets Debian) : test navigateur ignoré")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,768"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(DRIVER)), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()
