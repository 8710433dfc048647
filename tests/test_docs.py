"""The manual cannot drift from the code: every ``ged`` command written in README.md and docs/
names a real command with real options, and every example written in full parses exactly as
the CLI would parse it (arguments counted, values converted: ``ged show un`` would fail)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from itertools import product
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.main
from typer.core import TyperGroup

from cli.app import _COMMANDS, build_app

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
_SPAN = re.compile(r"`((?:\.venv/bin/)?ged [^`]+)`")
_IN_BLOCK = re.compile(r"^\s*(?:\$ )?((?:\.venv/bin/)?ged (?:--help|[a-z][\w-]*).*)$")
_PLACEHOLDER = re.compile(r"^[A-Z][A-Z_]*(\.\.\.|…)?$|[\[\]()|…]|\.\.\.$")
_WORD = re.compile(r"^[a-z][a-z-]*$")


def mentions() -> Iterator[tuple[str, str]]:
    """(where, command line) for each ``ged`` command in a code block or a code span of the pages."""
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        name = page.relative_to(ROOT)
        for block in _FENCE.finditer(text):
            first_line = text.count("\n", 0, block.start(1)) + 1
            for offset, line in enumerate(block.group(1).splitlines()):
                if found := _IN_BLOCK.match(line):
                    yield f"{name}:{first_line + offset}", found.group(1)
        prose = _FENCE.sub("", text)
        for span in _SPAN.finditer(prose):
            yield str(name), " ".join(span.group(1).split())


MENTIONS = list(mentions())


def _tokens(line: str) -> list[str]:
    words = shlex.split(line.replace("\\|", "|"), comments=True)
    return words[1:]  # the program's name


def _paths(words: list[str]) -> Iterator[tuple[list[str], list[str]]]:
    """Each command path a synopsis names (``requests list|show`` is two) with the words after it."""
    length = 0
    while length < len(words) and all(_WORD.match(part) for part in words[length].split("|")):
        length += 1
    for path in product(*(word.split("|") for word in words[:length])):
        yield list(path), words[length:]


def _resolve(path: list[str]) -> tuple[Any, list[str]]:
    """The command a path names, and the part of the path that named a real command (the rest are
    arguments, such as a default command's first word: ``ged search éclairage``)."""
    command: Any = typer.main.get_command(build_app(path[:1]))
    context = typer.Context(command, info_name="ged")
    used: list[str] = []
    for word in path:
        if not isinstance(command, TyperGroup):
            break
        sub = command.get_command(context, word)
        if sub is None:
            break
        command, context = sub, typer.Context(sub, info_name=word, parent=context)
        used.append(word)
    return command, used


def _options(command: Any) -> set[str]:
    names = {"--help"}
    commands = [command]
    if isinstance(command, TyperGroup):  # a default command's options are typed after the group's name
        commands += [sub for sub in (command.get_command(typer.Context(command), n) for n in command.list_commands(
            typer.Context(command))) if sub is not None and sub.hidden]
    for each in commands:
        for param in each.params:
            names.update(param.opts, param.secondary_opts)
    return names


def _parse(words: list[str]) -> typer.Context:
    """Parse as the CLI does, down to the command that would run (nothing is run)."""
    command: Any = typer.main.get_command(build_app(words))
    name, args, parent = "ged", list(words), None
    while True:
        # A value the command would ask for (a password) is not written in an example: given here.
        asked = {param.name: "…" for param in command.params if getattr(param, "prompt", None)}
        context = command.make_context(name, args, parent=parent, default_map=asked)
        if not isinstance(command, TyperGroup):
            return context
        name, sub, args = command.resolve_command(context, [*context._protected_args, *context.args])
        assert sub is not None and name is not None
        command, parent = sub, context


def test_the_pages_name_commands() -> None:
    """The collection itself: README's commands and the manual's examples are found."""
    named = {_tokens(line)[0] for _, line in MENTIONS if _tokens(line)}
    assert set(_COMMANDS) <= named | {"--help"}, sorted(set(_COMMANDS) - named)
    assert len(MENTIONS) > 150


@pytest.mark.parametrize(("where", "line"), MENTIONS, ids=[f"{w} {line[:50]}" for w, line in MENTIONS])
def test_every_command_in_the_manual_exists_with_its_options(where: str, line: str) -> None:
    words = _tokens(line)
    if words in ([], ["--help"]) or words[0] == "COMMAND":
        return
    assert words[0] in _COMMANDS, f"{where}: « ged {words[0]} » n'existe pas"
    for path, rest in _paths(words):
        command, used = _resolve(path)
        assert used == path[:len(used)] and used, f"{where}: « ged {' '.join(path)} »"
        arguments = path[len(used):] + rest
        options = {part.split("=")[0].rstrip(".…") for word in arguments for part in re.split(r"[\[\]()|/]", word)
                   if part.startswith("-") and len(part) > 1}
        unknown = options - _options(command)
        assert not unknown, f"{where}: « {line} » : options inconnues {sorted(unknown)}"
        if not arguments or any(_PLACEHOLDER.search(word) for word in arguments):
            continue  # a command named in prose, or a synopsis (``ged show DOC [--json]``): no values to parse
        parsed = _parse([*used, *arguments])
        assert parsed.command is not None
