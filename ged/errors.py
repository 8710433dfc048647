"""Errors the core raises to its drivers, each with the exit code the CLI returns for it."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    USAGE = 2
    """Bad command line (Typer's own code)."""
    BAD_INPUT = 3
    """At least one input was refused and quarantined; the rest was processed."""
    MISSING_DEPENDENCY = 4
    """A program or language pack the work needs is not installed."""
    NOT_FOUND = 5
    NOT_INITIALISED = 6
    """No GED_HOME: run ``ged init``."""
    DAMAGED = 7
    """A stored file is missing or no longer matches its fingerprint: refused, journaled as an incident."""
    FORBIDDEN = 8
    """The person may see the thing but not do this to it (an archivist closing a request)."""
    CONFLICT = 9
    """The thing is not in a state that allows it (transferring a closed request)."""
    INTERNAL = 70
    INTERRUPTED = 130


class GedError(Exception):
    exit_code = ExitCode.INTERNAL

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(GedError):
    exit_code = ExitCode.NOT_FOUND


class NotInitialised(GedError):
    exit_code = ExitCode.NOT_INITIALISED


class DependencyMissing(GedError):
    exit_code = ExitCode.MISSING_DEPENDENCY


class Unavailable(GedError):
    """Something asked of a document that it does not have (e.g. no PDF/A copy)."""

    exit_code = ExitCode.NOT_FOUND


class InvalidValue(GedError):
    """A value a person gave is not valid (unknown type, bad SIRET, impossible date)."""

    exit_code = ExitCode.BAD_INPUT


class NotConfigured(GedError):
    """Something the command needs is not configured (signing keys, timestamp authority)."""

    exit_code = ExitCode.MISSING_DEPENDENCY


class Damaged(GedError):
    """Stored bytes that are gone or changed: never handed out, and the archivist must be told."""

    exit_code = ExitCode.DAMAGED


class Forbidden(GedError):
    """Allowed to see, not to act: the web answers 403."""

    exit_code = ExitCode.FORBIDDEN


class Conflict(GedError):
    """Refused because of the thing's state, not of the value given: the web answers 409."""

    exit_code = ExitCode.CONFLICT


class Transient(GedError):
    """A server did not answer or was busy: worth trying again a little later."""

    exit_code = ExitCode.INTERNAL
