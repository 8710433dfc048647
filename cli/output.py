"""Printing for people (French, coloured) and for programs (``--json``)."""

from __future__ import annotations

import html
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape

# No emoji codes: a French line such as « motif :refus: » must print as written (and rich's table
# of codes, 4 ms of import, is then never loaded).
console = Console(highlight=False, soft_wrap=True, emoji=False)
errors = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def snippet_markup(snippet: str) -> str:
    """The engine's HTML snippet as terminal markup, highlights in bold yellow."""
    parts: list[str] = []
    cursor = 0
    for match in _MARK.finditer(snippet):
        parts.append(escape(html.unescape(snippet[cursor:match.start()])))
        parts.append("[bold yellow]" + escape(html.unescape(match.group(1))) + "[/]")
        cursor = match.end()
    parts.append(escape(html.unescape(snippet[cursor:])))
    return "".join(parts)


def fail(message: str) -> None:
    errors.print(f"[bold red]Erreur :[/] {escape(message)}")


@contextmanager
def indexing_bar() -> Iterator[Callable[[int, int], None]]:
    """A progress bar for a rebuild of the search index, as the ``progress(done, total)`` callback
    the rebuild reports to. It appears at the first report (``ged init`` rebuilds only after an
    upgrade that needs it) and disappears when the block ends."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("Indexation"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console, transient=True)
    tasks: list[TaskID] = []

    def report(done: int, total: int) -> None:
        if not tasks:
            bar.start()
            tasks.append(bar.add_task("documents", total=total))
        bar.update(tasks[0], completed=done, total=total)

    try:
        yield report
    finally:
        bar.stop()
