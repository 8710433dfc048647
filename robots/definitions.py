"""Robots as an administrator declares them: one TOML file per robot in ``GED_HOME/robots/``.

A robot is a trigger (cron expression, interval, or an event of the journal), an optional
filter, and a list of actions from the registry. A file that does not parse, or names an
unknown action or a bad value, is refused with its path, the line and the problem, in French.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

EVENTS = {
    "document_recu": "document.received",
    "document_traite": "document.processed",
    "document_valide": "document.validated",
    "document_a_verifier": "document.needs_review",
    "demande_creee": "request.created",
    "demande_en_retard": "request.overdue",
}
"""Event names a robot may wait for, and the journal entries they are."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Trigger(_Strict):
    cron: str | None = None
    """Five fields, e.g. ``"0 7 * * 1-5"``: 7:00 on working days."""
    interval_minutes: int | None = Field(default=None, ge=1)
    event: Literal["document_recu", "document_traite", "document_valide", "document_a_verifier", "demande_creee",
                   "demande_en_retard"] | None = None

    @field_validator("cron")
    @classmethod
    def _cron_parses(cls, value: str | None) -> str | None:
        if value is not None:
            from apscheduler.triggers.cron import CronTrigger

            try:
                CronTrigger.from_crontab(value)
            except ValueError as exc:
                raise ValueError(f"expression cron invalide « {value} » ({exc})") from exc
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> Trigger:
        given = [name for name in ("cron", "interval_minutes", "event") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("un déclencheur et un seul : cron, interval_minutes ou event")
        return self


class Filter(_Strict):
    type: str | None = None
    service: str | None = None
    state: str | None = None
    min_age_days: int | None = Field(default=None, ge=0)
    query: str | None = None
    """A search query the documents must match."""


class Notify(_Strict):
    action: Literal["notifier"]
    to: list[str] = Field(default_factory=list)
    """Addresses; empty: the e-mail of the service of each document or request."""
    subject: str = "[GED] {event}"


class Digest(_Strict):
    action: Literal["synthese_echeances"]
    to: list[str] = Field(default_factory=list)
    """Empty: each service receives its own digest at the address of ``[services]``."""
    days_ahead: int = Field(default=5, ge=0)


class Export(_Strict):
    action: Literal["exporter"]
    folder: Path
    format: Literal["csv", "json"] = "csv"
    what: Literal["demandes", "documents"] = "demandes"


class Webhook(_Strict):
    action: Literal["webhook"]
    url: str
    secret_env: str | None = None
    """Environment variable holding the HMAC-SHA256 key that signs the body (header X-GED-Signature)."""


class Route(_Strict):
    action: Literal["attribuer"]
    assignee: str


class SetStatus(_Strict):
    action: Literal["statut"]
    status: str


class Simple(_Strict):
    action: Literal["retention_echeances", "retention_proposer", "audit_archives", "reindexer", "controle_fichiers",
                    "completer_attestations"]


class Seal(_Strict):
    action: Literal["sceller_journal"]
    to: list[str] = Field(default_factory=list)
    """Addresses that receive each seal as the seal log writes it: one more copy out of the installation."""


class Mailbox(_Strict):
    action: Literal["releve_courriel"]
    host: str
    port: int = 993
    security: Literal["ssl", "starttls"] = "ssl"
    user: str
    password_env: str
    folder: str = "INBOX"
    move_to: str | None = None
    """Folder the mail goes to once every document from it is stored; None: flagged as read."""
    ca_file: Path | None = None
    """CA certificate to trust (a mail server with an internal certificate)."""
    service: str | None = None


class Demarches(_Strict):
    action: Literal["releve_demarches"]
    demarche: int = Field(ge=1)
    """The démarche's number on démarches-simplifiées."""
    type: str
    """The request type its dossiers open (``urbanisme``, ``etat_civil``…)."""
    service: str | None = None
    """None: the type's service."""
    url: str = "https://www.demarches-simplifiees.fr/api/v2/graphql"
    token_env: str = "GED_DS_TOKEN"
    token_file: Path | None = None
    """A file holding the API token (read instead of the variable when set)."""
    states: list[str] = ["en_construction", "en_instruction"]
    """Dossiers in these states are taken (a draft is not filed yet)."""
    fields: dict[str, str] = Field(default_factory=dict)
    """The form's label → the GED's field code (``"Nom du demandeur" = "demandeur_nom"``)."""
    ca_file: Path | None = None


class PastellIntake(_Strict):
    """Deposits written by Pastell's deposit connector (local, SFTP or WebDAV mounted here)."""

    action: Literal["releve_pastell"]
    folder: Path
    part_suffix: str = ".part"
    """Pastell's « suffixe de dépôt »: a name ending so is still being written."""
    done_marker: str | None = "fichier_termine.txt"
    """Pastell's « fichier de terminaison », written last in a deposit folder."""
    require_marker: bool = False
    """True: a folder without the marker is never taken (else: once it has settled)."""
    settle_seconds: float = Field(default=5.0, ge=0)
    type: str | None = None
    """The type when the metadata gives none (None: the classifier types the files)."""
    type_field: str | None = None
    types: dict[str, str] = Field(default_factory=dict)
    """A value of ``type_field`` → a GED type (``"arrete-urbanisme" = "urbanisme"``)."""
    service: str | None = None
    service_field: str | None = None
    services: dict[str, str] = Field(default_factory=dict)
    reference_field: str | None = None
    """The metadata key holding the external reference (None: the deposit's name and content)."""
    title_field: str = "objet"
    requester_field: str | None = None
    email_field: str | None = None
    fields: dict[str, str] = Field(default_factory=dict)
    """A metadata key → a GED field code."""


class PastellExport(_Strict):
    """Each selected document written for Pastell's collector (glaneur), once."""

    action: Literal["deposer_pastell"]
    folder: Path
    flux: str
    """The Pastell document type the collector creates (``manifest.xml``'s ``type``)."""
    element: str = "document"
    packaging: Literal["dossier", "zip"] = "dossier"
    metadata: Literal["json", "xml", "yaml"] = "json"
    done_marker: str | None = None
    version: Literal["original", "signee"] = "original"
    """The original as received, or the signed PDF/A copy when there is one."""


ActionSpec = Annotated[Notify | Digest | Export | Webhook | Route | SetStatus | Simple | Seal | Mailbox | Demarches
                       | PastellIntake | PastellExport, Field(discriminator="action")]


class RobotSpec(_Strict):
    description: str = ""
    enabled: bool = True
    trigger: Trigger
    filter: Filter = Filter()
    actions: list[ActionSpec] = Field(min_length=1)


@dataclass(frozen=True)
class Robot:
    name: str
    path: Path
    spec: RobotSpec


@dataclass(frozen=True)
class RobotFileError:
    path: Path
    line: int | None
    problem: str

    def __str__(self) -> str:
        where = f"{self.path}, ligne {self.line}" if self.line else str(self.path)
        return f"{where} : {self.problem}"


def load_robot(path: Path) -> Robot | RobotFileError:
    text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        return RobotFileError(path, int(line[1]) if line else None, f"TOML invalide ({exc})")
    try:
        return Robot(path.stem, path, RobotSpec.model_validate(data))
    except ValidationError as exc:
        error = exc.errors()[0]
        location = [str(part) for part in error["loc"] if not isinstance(part, int) or part]
        return RobotFileError(path, _line_of(text, error["loc"]), f"{'.'.join(location) or 'robot'} : "
                              f"{_french(error)}")


def _line_of(text: str, location: tuple[Any, ...]) -> int | None:
    """The line of the deepest key of ``location`` found in the file (good enough to point at the problem)."""
    keys = [part for part in location if isinstance(part, str)]
    for key in reversed(keys):
        for number, line in enumerate(text.splitlines(), start=1):
            if re.match(rf"\s*(\[+\s*)?{re.escape(key)}\b", line) or re.search(rf"\b{re.escape(key)}\s*=", line):
                return number
    return None


_MESSAGES = {
    "missing": "valeur obligatoire absente",
    "extra_forbidden": "clé inconnue",
    "union_tag_invalid": "action inconnue",
    "literal_error": "valeur non autorisée",
    "too_short": "au moins une action est nécessaire",
}


def _french(error: Any) -> str:
    message = _MESSAGES.get(error["type"])
    if error["type"] == "union_tag_invalid":
        return f"action inconnue « {error['input'].get('action') if isinstance(error['input'], dict) else '?'} »"
    if error["type"] == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    return f"{message} ({error['msg']})" if message else str(error["msg"])


def load_robots(folder: Path) -> tuple[list[Robot], list[RobotFileError]]:
    """Every ``*.toml`` of the folder, in name order; the invalid ones as errors, the others loaded."""
    robots: list[Robot] = []
    errors: list[RobotFileError] = []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        loaded = load_robot(path)
        (robots if isinstance(loaded, Robot) else errors).append(loaded)  # type: ignore[arg-type]
    return robots, errors
