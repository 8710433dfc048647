"""The web UI served on loopback for the browser tests, and where Debian's Chromium is."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ged.context import Context

from .helpers import free_port

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@contextmanager
def served(ctx: Context) -> Iterator[str]:
    """The web UI of this installation on a free loopback port, in a thread, for the test's length."""
    import uvicorn

    from web.app import create_app

    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(create_app(ctx), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    while not uv.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
