"""One typed settings object, read from ``GED_HOME/ged.toml`` and ``GED_*`` environment variables.

Environment variables win over the file; nested keys use a double underscore
(``GED_OCR__LANGUAGES=fra``). Every path is resolved against ``home`` so that a
whole installation moves with its folder.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from contextlib import suppress
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .taxonomy import (
    DEFAULT_RETENTION,
    DEFAULT_SERVICES,
    DEFAULT_TYPES,
    CommuneSettings,
    RetentionRule,
    ServiceSettings,
    TypeSettings,
    merged,
)

CONFIG_FILE_NAME = "ged.toml"


def default_home() -> Path:
    """GED_HOME, or ``./ged-data`` as DESIGN.md says."""
    return Path(os.environ.get("GED_HOME", "ged-data")).resolve()


class OcrSettings(BaseModel):
    languages: str = "fra+eng"
    """Tesseract languages, ``+``-separated."""
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    """Processes running Tesseract in parallel (one Tesseract thread each)."""
    dpi: int = Field(default=300, ge=72, le=600)
    """Resolution at which PDF pages without a usable text layer are rasterised."""
    timeout_seconds: int = Field(default=180, ge=5)
    """A page whose OCR takes longer is given up (its document goes to review)."""
    conversion_timeout_seconds: int = Field(default=120, ge=1)
    """An office document, e-mail or web page whose conversion to PDF/A takes longer is refused
    (quarantine, ``timeout``): a hostile file cannot hold a worker."""
    min_text_chars: int = Field(default=20, ge=0)
    """A PDF page's text layer counts as usable from this many letters or digits on."""
    thresholding_method: int = Field(default=0, ge=0, le=2)
    """Tesseract's binarisation: 0 Otsu, 1 LeptonicaOtsu, 2 Sauvola (best on poor photocopies)."""


class LimitSettings(BaseModel):
    """Bounds that keep hostile or absurd files from exhausting the machine."""

    max_file_bytes: int = 512 * 1024 * 1024
    max_pages: int = 2000
    max_page_pixels: int = 120_000_000
    """Largest raster accepted for one page (decompression bombs are refused)."""


class FolderRouting(BaseModel):
    """What a watched folder (or one of its subfolders) says about the mail dropped in it."""

    service: str | None = None
    doc_type: str | None = None
    tags: list[str] = []


class WatchedFolder(FolderRouting):
    path: Path
    polling: bool | None = None
    """Poll instead of inotify (network shares); None takes ``watch.polling``."""
    subfolders: dict[str, FolderRouting] = {}
    """Routing by the name of the first-level subfolder a file is dropped in."""


class WatchSettings(BaseModel):
    folders: list[WatchedFolder] = []
    polling: bool = False
    """Default observer: False uses inotify, True polls (SMB/NFS shares where inotify sees nothing)."""
    poll_interval_seconds: float = Field(default=5.0, gt=0)
    settle_seconds: float = Field(default=5.0, ge=0)
    """A file is taken once its size and modification time have not changed for this long."""
    rescan_seconds: float = Field(default=300.0, gt=0)
    """Full rescan of every folder, a safety net for missed events."""
    after: Literal["move", "delete"] = "move"
    """What becomes of a source file once its document is committed."""


class ElasticsearchSettings(BaseModel):
    url: str = "http://127.0.0.1:9200"
    username: str | None = None
    password_env: str = "GED_ELASTICSEARCH_PASSWORD"
    api_key_env: str = "GED_ELASTICSEARCH_API_KEY"
    """An API key (preferred to a password) is read from this environment variable when set."""
    ca_file: Path | None = None
    """CA certificate of the cluster (its own, self-signed, as Elasticsearch generates at install)."""
    index_prefix: str = "ged"


class SearchSettings(BaseModel):
    engine: Literal["embedded", "elasticsearch"] = "embedded"
    """``embedded`` (tantivy, no server) or ``elasticsearch`` (a cluster, 8.x or 9.x)."""
    index_dir: Path | None = None
    """Defaults to ``<home>/index`` (embedded engine)."""
    elasticsearch: ElasticsearchSettings = ElasticsearchSettings()


class ClassificationSettings(BaseModel):
    threshold: float = Field(default=0.6, gt=0, lt=1)
    """Under this confidence a document goes to review instead of being routed on a guess."""
    model_weight: float = Field(default=0.7, ge=0, le=1)
    """Share of the learned model in the decision; the rest is the keyword rules'."""
    field_threshold: float = Field(default=0.5, ge=0, le=1)
    """A field read with less confidence is flagged for checking (the document goes to review)."""
    models_dir: Path | None = None
    """Trained models; defaults to ``<home>/models``."""
    corpus_per_type: int = Field(default=150, ge=10)
    """Generated documents per type in the training corpus of the default model."""


class SigningSettings(BaseModel):
    """Key material and timestamp authority of PAdES signatures (``ged init --demo-pki`` fills it for tests)."""

    p12_file: Path | None = None
    """PKCS#12 file: signing key, certificate and chain."""
    password_env: str = "GED_SIGNING_PASSWORD"
    """Environment variable holding the PKCS#12 password (never written in ged.toml)."""
    password_file: Path | None = None
    """Or a file holding it (mode 0600)."""
    tsa_url: str | None = None
    """RFC 3161 timestamp authority."""
    tsa_cert_file: Path | None = None
    tsa_key_file: Path | None = None
    """A local timestamp authority: test material only (demo PKI), used when ``tsa_url`` is unset."""
    trust_roots: list[Path] = []
    """Certificates validation trusts (the CA of the signing certificate, of the TSA)."""
    crls: list[Path] = []
    """Revocation lists embedded in archival signatures and used by ``ged archive audit``."""
    location: str | None = None


class AttestationSettings(BaseModel):
    """Attestations of digitisation (fidelity copies): on where paper originals may be destroyed."""

    enabled: bool = False
    """Every batch from a watched folder or an upload gets a manifest, a timestamp and an attestation."""
    min_resolution_dpi: int = Field(default=200, ge=50)
    """Pages scanned below this are flagged in the quality control (NF Z42-026 leaves it to the commune;
    200 dpi is the usual floor for text, 300 for small print)."""
    blank_ink: float = Field(default=0.002, ge=0, le=1)
    """A page whose share of dark pixels is below this is counted blank."""
    operator: str | None = None
    """Who scans for watched folders (None: the owner of the file dropped)."""


class ArchiveSettings(BaseModel):
    archival_agency: str = "FRAD044"
    """Identifier of the Archives départementales (SEDA ArchivalAgency and ControlAuthority)."""
    archival_agency_name: str = "Archives départementales de Loire-Atlantique"
    seal_every: int = Field(default=1000, ge=1)
    """``ged journal seal`` is due after this many journal entries (robots run it on a schedule)."""
    fixity_cycle_days: int = Field(default=30, ge=1)
    """The nightly fixity robot re-hashes a share of the store each day, the whole store over this many days."""
    archival_agreement: str | None = None
    """The agreement (convention de versement) signed with the Archives, written in every transfer."""
    profile: Path | None = None
    """The RelaxNG archiving profile the Archives gave; every transfer must match it before it is sent."""
    profile_identifier: str | None = None
    """The profile's identifier in the message; by default the value the grammar fixes, or its file name."""


class JournalSettings(BaseModel):
    """Where the journal is anchored outside the database, and how often it must be sealed."""

    anchor_dir: Path | None = None
    """Head anchor and seal log; defaults to ``<home>/journal``. Put it where the database administrator
    cannot write (another host's share, a WORM volume): what it holds is the journal's evidence."""
    seal_log_copies: list[Path] = []
    """Further append-only copies of the seal log (another disk, a WORM share)."""
    max_seal_gap_hours: float = Field(default=0, ge=0)
    """Longest time allowed between two seals (and since the last one); 0 checks no gap."""


class SmtpSettings(BaseModel):
    """The mail server robots send notifications through."""

    host: str | None = None
    port: int = 587
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str | None = None
    password_env: str = "GED_SMTP_PASSWORD"
    sender: str = "ged@mairie.example.fr"
    ca_file: Path | None = None
    """CA certificate to trust (an internal mail server)."""
    timeout_seconds: float = 30


class RobotSettings(BaseModel):
    folder: Path | None = None
    """One TOML file per robot; defaults to ``<home>/robots``."""
    poll_seconds: float = Field(default=15, gt=0)
    """How often the daemon looks for due robots and new journal events."""
    retries: int = Field(default=3, ge=0)
    """Attempts after a transient failure (network, server busy), with exponential backoff."""
    backoff_seconds: float = Field(default=5, ge=0)
    lock_minutes: int = Field(default=60, ge=1)
    """A run's lock expires after this long (a crashed run does not block its robot forever)."""


class WorkerSettings(BaseModel):
    """Several machines: intake only stores and enqueues, ``ged worker`` processes do the OCR."""

    enabled: bool = False
    """False (single machine): intake processes documents itself, no worker is needed."""
    lease_seconds: int = Field(default=300, ge=10)
    """A claimed job whose worker stops renewing for this long is taken over by another."""
    poll_seconds: float = Field(default=2, gt=0)
    heartbeat_seconds: float = Field(default=15, gt=0)


class WebSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    secure_cookies: bool = True
    """Cookies only over HTTPS (a reverse proxy terminates TLS); false only for a test on loopback."""
    trusted_proxies: list[str] = []
    """Addresses (or networks, ``10.0.0.0/8``) of the reverse proxies whose ``X-Forwarded-For`` is
    believed. Behind an unlisted proxy every agent shares its address (sign-in throttling counts
    them together); from anyone else the header is ignored (a client could write any address)."""
    public_url: str | None = None
    """The address agents type (``https://ged.mairie.fr``): where an identity provider sends them back.
    Unset, the address of each request is used."""


class OidcSettings(BaseModel):
    """Sign-in through an OpenID Connect provider: ProConnect (the State's service for public agents),
    or the community's own (Keycloak, LemonLDAP::NG). Presets in docs/web.md."""

    issuer: str
    """``https://auth.agentconnect.gouv.fr/api/v2`` (ProConnect), ``https://sso.mairie.fr/realms/agents``…"""
    client_id: str
    client_secret_env: str = "GED_OIDC_CLIENT_SECRET"
    client_secret_file: Path | None = None
    """Read instead of the variable when set (a file only the service account can read)."""
    scopes: list[str] = ["openid", "email", "profile"]
    acr_values: str | None = None
    """Asked assurance level (ProConnect: ``eidas1``)."""
    label: str = "Se connecter avec le fournisseur d'identité"
    login_claim: str = "email"
    """The claim that is the account's login (``email``, ``preferred_username``, ``uid``)."""
    name_claims: list[str] = ["name"]
    """Claims joined into the displayed name (ProConnect: ``given_name``, ``usual_name``)."""
    groups_claim: str | None = "groups"
    """Where the provider lists the user's groups; empty: role and services stay as set locally (ProConnect)."""
    roles: dict[str, str] = {}
    """Group → role; the highest role of the user's groups applies."""
    services: dict[str, list[str]] = {}
    """Group → services; the user gets the union of their groups' services, at every sign-in."""
    create_users: bool = False
    """Whether a person the provider vouches for but unknown here gets an account (else refused)."""
    default_role: str = "agent"
    timeout_seconds: float = 10
    ca_file: Path | None = None


class AuthSettings(BaseModel):
    oidc: OidcSettings | None = None
    """None: local accounts only. Local accounts stay usable as a break-glass administrator."""


class Settings(BaseModel):
    """Everything configurable, in one place (read by ``load_settings``)."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    home: Path = Field(default_factory=default_home)
    database_url: str | None = None
    """SQLAlchemy URL; defaults to SQLite in ``<home>/ged.sqlite3``."""
    blobs_dir: Path | None = None
    """Content-addressed store; defaults to ``<home>/blobs``."""
    quarantine_dir: Path | None = None
    """Refused inputs with their reason files; defaults to ``<home>/quarantine``."""
    ocr: OcrSettings = OcrSettings()
    limits: LimitSettings = LimitSettings()
    search: SearchSettings = SearchSettings()
    watch: WatchSettings = WatchSettings()
    classification: ClassificationSettings = ClassificationSettings()
    commune: CommuneSettings = CommuneSettings()
    services: dict[str, ServiceSettings] = Field(default_factory=lambda: merged(DEFAULT_SERVICES, {}))
    types: dict[str, TypeSettings] = Field(default_factory=lambda: merged(DEFAULT_TYPES, {}))
    """Document types, their routing, rules and deadlines; a configured key overrides its default only."""
    retention: dict[str, RetentionRule] = Field(default_factory=lambda: merged(DEFAULT_RETENTION, {}))
    """The tableau de gestion, per document type."""
    signing: SigningSettings = SigningSettings()
    archive: ArchiveSettings = ArchiveSettings()
    attestation: AttestationSettings = AttestationSettings()
    journal: JournalSettings = JournalSettings()
    smtp: SmtpSettings = SmtpSettings()
    robots: RobotSettings = RobotSettings()
    web: WebSettings = WebSettings()
    auth: AuthSettings = AuthSettings()
    workers: WorkerSettings = WorkerSettings()

    @field_validator("retention", mode="before")
    @classmethod
    def _retention_over_defaults(cls, value: Any) -> Any:
        return merged(DEFAULT_RETENTION, value)

    @field_validator("types", mode="before")
    @classmethod
    def _types_over_defaults(cls, value: Any) -> Any:
        return merged(DEFAULT_TYPES, value)

    @field_validator("services", mode="before")
    @classmethod
    def _services_over_defaults(cls, value: Any) -> Any:
        return merged(DEFAULT_SERVICES, value)

    @model_validator(mode="after")
    def _routing_targets_exist(self) -> Settings:
        for code, doc_type in self.types.items():
            if doc_type.service not in self.services:
                raise ValueError(f"types.{code}.service : service « {doc_type.service} » absent de [services]")
        return self

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'ged.sqlite3'}"

    @property
    def blobs_path(self) -> Path:
        return self._under_home(self.blobs_dir, "blobs")

    @property
    def quarantine_path(self) -> Path:
        return self._under_home(self.quarantine_dir, "quarantine")

    @property
    def index_path(self) -> Path:
        return self._under_home(self.search.index_dir, "index")

    @property
    def robots_path(self) -> Path:
        return self._under_home(self.robots.folder, "robots")

    @property
    def anchor_path(self) -> Path:
        return self._under_home(self.journal.anchor_dir, "journal")

    @property
    def pki_path(self) -> Path:
        return self.home / "pki"

    def resolve(self, path: Path) -> Path:
        """A configured path, relative ones taken under ``home``."""
        return path if path.is_absolute() else self.home / path

    @property
    def models_path(self) -> Path:
        return self._under_home(self.classification.models_dir, "models")

    @cached_property
    def config_file(self) -> Path:
        return self.home / CONFIG_FILE_NAME

    def _under_home(self, value: Path | None, default: str) -> Path:
        return self.resolve(value if value is not None else Path(default))


def _deep_merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value
    return base


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """``GED_OCR__LANGUAGES=fra`` → ``{"ocr": {"languages": "fra"}}``; lists and tables are given as JSON.

    Only names of top-level settings are read: ``GED_TEST_…`` and the like belong to others.
    """
    found: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.upper().startswith("GED_"):
            continue
        path = name[4:].lower().split("__")
        if path[0] not in Settings.model_fields:
            continue
        value: Any = raw
        if raw.lstrip()[:1] in ("[", "{"):
            with suppress(ValueError):
                value = json.loads(raw)
        target = found
        for key in path[:-1]:
            target = target.setdefault(key, {})
        target[path[-1]] = value
    return found


def load_settings(**overrides: Any) -> Settings:
    """Read the configuration as it is now: ``<home>/ged.toml``, then ``GED_*`` variables, then ``overrides``.

    A small reader of our own rather than pydantic-settings, whose import alone cost 0.1–0.3 CPU-s
    at the start of every command (``ged search`` has a budget of 0.3 CPU-s in all).
    """
    home = Path(overrides.get("home") or os.environ.get("GED_HOME", "ged-data"))
    try:
        values: dict[str, Any] = tomllib.loads((home / CONFIG_FILE_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        values = {}
    _deep_merge(values, _from_environment(os.environ))
    _deep_merge(values, overrides)
    return Settings.model_validate(values)


DEFAULT_CONFIG_TOML = """\
# Configuration de la GED — every key is optional; GED_* environment variables override it.
# database_url = "postgresql+psycopg://ged:secret@db.mairie.local/ged"

[ocr]
languages = "fra+eng"      # Tesseract languages
# workers = 2              # defaults to the number of cores
dpi = 300
thresholding_method = 0    # 2 (Sauvola) helps on poor photocopies

[limits]
max_file_bytes = 536870912
max_pages = 2000
max_page_pixels = 120000000

[search]
engine = "embedded"

[classification]
threshold = 0.6            # under this confidence a document goes to review
model_weight = 0.7         # learned model vs keyword rules
field_threshold = 0.5      # a field read with less confidence is flagged for checking

[commune]
name = "Mairie de Saint-Herblain"
address = "2 rue de l'Hôtel de Ville, 44800 Saint-Herblain"
tribunal = "tribunal administratif de Nantes"
# holidays_subdivision = "57"   # Alsace-Moselle: Good Friday and 26 December are holidays

# Types, routing and deadlines: every key has a default (see README); override only what differs.
# [types.voirie]
# service = "services_techniques"
# keywords = ["eclairage public", "nid de poule", "depot sauvage"]
# deadline = { amount = 5, unit = "jours_ouvres" }
# [services.services_techniques]
# label = "Services techniques"
# email = "st@mairie.example.fr"

[watch]
polling = false            # true for SMB/NFS shares (inotify sees nothing there)
poll_interval_seconds = 5
settle_seconds = 5         # a file is taken once unchanged for this long
rescan_seconds = 300
after = "move"             # or "delete": what becomes of a scanned file once stored
# [[watch.folders]]
# path = "/srv/scans/urbanisme"
# service = "urbanisme"
# tags = ["guichet"]
# [watch.folders.subfolders.etat-civil]
# service = "etat_civil"
"""
