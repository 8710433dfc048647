"""Deposit folders in the shape Pastell's connectors write and read: one deposit per folder or zip,
its files beside a metadata file (``metadata.json``, ``.xml``, ``.yaml`` or Pastell's YAML ``.txt``).

Intake: a deposit is taken only once it is whole. A name with the writer's suffix (``.part``) is
still being written; a folder is whole when its "done" marker is there (``fichier_termine.txt``,
written last by Pastell), or, when no marker is required, once nothing in it has changed for the
settle time and no file in it still bears the suffix; a zip when it has settled and opens. Each
deposit is registered once: through ``dossiers`` as a request when its type is a request type,
otherwise as documents; the ledger keys it by its external reference, so a run that dies before the
deposit is filed away takes nothing twice.

Export: a document and its metadata written for Pastell's collector (glaneur) in the same shape,
with a ``manifest.xml`` naming the Pastell type, built beside the folder and renamed into it in one
step, so the collector never sees half a deposit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Any, Final

import yaml
from lxml import etree

from .. import journal, quarantine
from ..blobs import fsync_dir
from ..context import Context
from ..db.models import Document, FileRole, Request
from ..errors import InvalidValue, NotFound
from ..ingest import IngestService, IntakeHints, Outcome
from . import dossiers

METADATA_NAMES: Final = ("metadata.json", "metadata.xml", "metadata.yaml", "metadata.yml", "metadata.txt",
                         "manifest.xml")
"""What Pastell's deposit connector writes (YAML as ``.txt``), and its collector's manifest."""
MAX_MEMBERS: Final = 1000


class Placement(StrEnum):
    TAKEN = "traites"
    REFUSED = "erreurs"


OUTPUT_FOLDERS: Final = frozenset(p.value for p in Placement)


class DepositRefused(InvalidValue):
    """A deposit that cannot be taken as it is (no metadata, a file it names is missing, a bad zip)."""


@dataclass(frozen=True)
class Layout:
    """How the writer marks a deposit in progress or finished."""

    part_suffix: str = ".part"
    done_marker: str | None = "fichier_termine.txt"
    require_marker: bool = False
    settle_seconds: float = 5.0


@dataclass(frozen=True)
class DepositMapping:
    """From a deposit's metadata to the GED's type, service, request and fields."""

    type: str | None = None
    """The type when the metadata gives none (None: the classifier types it)."""
    type_field: str | None = None
    types: Mapping[str, str] = field(default_factory=dict)
    """A value of ``type_field`` → a GED type (a value that is already a GED type needs no entry)."""
    service: str | None = None
    service_field: str | None = None
    services: Mapping[str, str] = field(default_factory=dict)
    reference_field: str | None = None
    """The external reference (Pastell's ``id_d``, an act's number); None: the deposit's name and content."""
    title_field: str = "objet"
    requester_field: str | None = None
    email_field: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    """A metadata key → a GED field code (``"nom_demandeur" = "demandeur_nom"``)."""


Metadata = dict[str, str | list[str]]


@dataclass(frozen=True)
class Opened:
    name: str
    metadata: Metadata
    metadata_file: str
    metadata_sha256: str
    files: list[Path]


@dataclass(frozen=True)
class Taken:
    name: str
    reference: str
    already: bool
    request: str | None
    documents: list[int]


def is_ready(path: Path, layout: Layout, *, now: float | None = None) -> bool:
    """Whether a deposit is whole: see the module's docstring."""
    now = time.time() if now is None else now
    if path.name.endswith(layout.part_suffix) or path.name.startswith("."):
        return False
    try:
        if path.is_dir():
            entries = list(path.rglob("*"))
            if any(p.name.endswith(layout.part_suffix) for p in entries):
                return False
            if layout.done_marker and (path / layout.done_marker).is_file():
                return True
            if layout.require_marker:
                return False
            newest = max([path.stat().st_mtime, *(p.stat().st_mtime for p in entries)])
            return bool(entries) and now - newest >= layout.settle_seconds
        return path.is_file() and now - path.stat().st_mtime >= layout.settle_seconds
    except FileNotFoundError:  # renamed or removed while we looked
        return False


def waiting(folder: Path, layout: Layout) -> list[Path]:
    """The deposits in the folder, whole or not, oldest name first (output folders left out)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name not in OUTPUT_FOLDERS and not p.name.startswith("."))


@contextlib.contextmanager
def opened(path: Path, layout: Layout, *, max_bytes: int) -> Iterator[Opened]:
    """The deposit's metadata and files; a zip is unpacked into a temporary folder first (names that
    climb out of it, links and members over the size limit refused), removed afterwards."""
    if path.is_dir():
        yield _read(path, path.name, layout)
        return
    if path.suffix.lower() != ".zip":
        raise DepositRefused("dépôt attendu : un dossier ou une archive zip avec ses métadonnées")
    with tempfile.TemporaryDirectory(prefix="ged-depot-") as work:
        _unzip(path, Path(work), max_bytes)
        yield _read(Path(work), path.stem, layout)


def _unzip(path: Path, target: Path, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > MAX_MEMBERS:
                raise DepositRefused(f"archive de plus de {MAX_MEMBERS} fichiers")
            for member in members:
                relative = Path(member.filename)
                if relative.is_absolute() or ".." in relative.parts or (member.external_attr >> 28) == 0o12:
                    raise DepositRefused(f"nom de fichier refusé dans l'archive : {member.filename}")
                destination = target / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with archive.open(member) as source, destination.open("wb") as out:
                    while chunk := source.read(1 << 20):
                        written += len(chunk)
                        if written > max_bytes:
                            raise DepositRefused(f"fichier trop volumineux dans l'archive : {member.filename}")
                        out.write(chunk)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise DepositRefused(f"archive zip illisible ({exc})") from exc
    except RuntimeError as exc:  # an encrypted member
        raise DepositRefused(f"archive zip chiffrée ou protégée ({exc})") from exc


def _read(folder: Path, name: str, layout: Layout) -> Opened:
    found = [folder / n for n in METADATA_NAMES if (folder / n).is_file()]
    if not found:
        raise DepositRefused("métadonnées absentes (metadata.json, .xml, .yaml ou manifest.xml attendu)")
    source = found[0]
    raw = source.read_bytes()
    metadata = parse_metadata(source.name, raw)
    litter = {f.name for f in found} | {layout.done_marker or ""}
    present = sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in litter
                     and not p.name.endswith(quarantine.REASON_SUFFIX))
    named = [v for value in metadata.values() if isinstance(value, list) for v in value]
    if named:
        by_name = {p.name: p for p in present}
        missing = [n for n in named if Path(n).name not in by_name]
        if missing:
            raise DepositRefused(f"pièce annoncée dans les métadonnées mais absente : {', '.join(missing)}")
        files = [by_name[Path(n).name] for n in dict.fromkeys(named)]
    else:
        files = present
    if not files:
        raise DepositRefused("dépôt sans fichier")
    return Opened(name, metadata, source.name, hashlib.sha256(raw).hexdigest(), files)


def parse_metadata(name: str, raw: bytes) -> Metadata:
    """Pastell's raw data: a flat map, files as lists of names (JSON, YAML, or its ``<flux>`` XML)."""
    try:
        if name.endswith(".json"):
            data: Any = json.loads(raw)
        elif name.endswith(".xml"):
            data = _from_xml(raw)
        else:
            data = yaml.safe_load(raw)
    except (ValueError, yaml.YAMLError, etree.XMLSyntaxError) as exc:
        raise DepositRefused(f"métadonnées illisibles ({name}) : {str(exc)[:200]}") from exc
    if not isinstance(data, dict):
        raise DepositRefused(f"métadonnées sans paires nom/valeur ({name})")
    metadata: Metadata = {}
    for key, value in data.items():
        if isinstance(value, list):
            metadata[str(key)] = [str(v) for v in value if v is not None]
        elif isinstance(value, dict):
            metadata[str(key)] = [str(v) for v in value.values() if v is not None]
        elif value is not None:
            metadata[str(key)] = str(value)
    return metadata


def _from_xml(raw: bytes) -> dict[str, Any]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    root = etree.fromstring(raw, parser)
    data: dict[str, Any] = {}
    if root.get("type"):
        data["type"] = root.get("type")
    for item in root.iter("data"):
        data[item.get("name", "")] = item.get("value", "")
    for files in root.iter("files"):
        data[files.get("name", "")] = [f.get("content", "") for f in files.iter("file")]
    data.pop("", None)
    return data


def _scalar(metadata: Metadata, key: str | None) -> str | None:
    value = metadata.get(key) if key else None
    return value.strip() or None if isinstance(value, str) else None


def _resolve(ctx: Context, opened_: Opened, mapping: DepositMapping) -> tuple[str | None, str | None, str]:
    given_type = _scalar(opened_.metadata, mapping.type_field)
    doc_type = mapping.types.get(given_type or "") or (given_type if given_type in ctx.settings.types else None)
    doc_type = doc_type or mapping.type
    given_service = _scalar(opened_.metadata, mapping.service_field)
    service = mapping.services.get(given_service or "") or given_service or mapping.service
    reference = (_scalar(opened_.metadata, mapping.reference_field)
                 or f"{opened_.name}-{opened_.metadata_sha256[:16]}")
    return doc_type, service, reference[:100]


def take(ctx: Context, opened_: Opened, mapping: DepositMapping, *, source: str, actor: str) -> Taken:
    """Register the deposit once: a request with its pieces when its type is a request type, else documents."""
    doc_type, service, reference = _resolve(ctx, opened_, mapping)
    if dossiers.known(ctx, source, reference):
        return Taken(opened_.name, reference, True, None, [])
    title = _scalar(opened_.metadata, mapping.title_field) or opened_.name
    now = ctx.clock()
    if doc_type in ctx.settings.types and ctx.settings.types[doc_type].category is not None:
        dossier = dossiers.OnlineDossier(
            source=source, reference=reference, title=title, filed_at=now, modified_at=now, state="déposé",
            requester=_scalar(opened_.metadata, mapping.requester_field),
            email=_scalar(opened_.metadata, mapping.email_field),
            fields=[(k, v) for k, v in opened_.metadata.items() if isinstance(v, str) and v.strip()],
            files=[dossiers.OnlineFile(p.name, partial(shutil.copyfile, p))
                   for p in opened_.files])
        taken = dossiers.take(ctx, dossier, doc_type=doc_type, service=service, mapping=dict(mapping.fields),
                              actor=actor, via="déposé par Pastell")
        return Taken(opened_.name, reference, False, taken.request, taken.documents)
    hints = IntakeHints(service=service, doc_type=doc_type, channel=f"depot:{source}", subject=title,
                        reference=reference)
    reports = IngestService(ctx, actor=actor).ingest(opened_.files, hints_for=lambda _path: hints)
    documents = [i for r in reports if (i := r.document_id or r.duplicate_of) is not None]
    dossiers.record_taken(ctx, source=source, reference=reference, request=None, documents=documents,
                          modified_at=now, actor=actor,
                          refused=[Path(r.source).name for r in reports if r.outcome == Outcome.QUARANTINED])
    return Taken(opened_.name, reference, False, None, documents)


def file_away(path: Path, placement: Placement, *, reason: str | None = None) -> Path:
    """Move the deposit out of the way once taken (or refused, with a reason file beside it)."""
    target_folder = path.parent / placement.value
    target_folder.mkdir(exist_ok=True)
    target = target_folder / path.name
    counter = 1
    while target.exists():
        counter += 1
        target = target_folder / f"{path.name}-{counter}"
    os.replace(path, target)
    fsync_dir(target_folder)
    if reason is not None:
        quarantine.write_reason(target, {"Dépôt": path.name, "Motif": reason})
    return target


# -- export towards Pastell's collector ------------------------------------------------------------

@dataclass(frozen=True)
class ExportShape:
    flux: str
    """The Pastell document type the collector creates (``manifest.xml``'s ``type``)."""
    element: str = "document"
    """The Pastell file field the document goes into."""
    packaging: str = "dossier"
    """``dossier`` or ``zip``."""
    metadata: str = "json"
    """``json``, ``xml`` or ``yaml``."""
    done_marker: str | None = None
    version: str = "original"
    """``original`` as received, or ``signee``: the signed PDF/A copy when there is one."""


def export_metadata(ctx: Context, document_id: int) -> dict[str, Any]:
    """What the GED knows of the document, as Pastell raw data (scalars, and the file list)."""
    with ctx.db.session() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound(f"document {document_id} introuvable")
        request = session.get(Request, document.request_id) if document.request_id else None
        data: dict[str, Any] = {
            "objet": (document.attributes or {}).get("objet") or document.filename,
            "identifiant_ged": str(document.id),
            "type_ged": document.doc_type or "",
            "service": document.service or "",
            "date_reception": document.received_at.isoformat(timespec="seconds") + "Z",
            "empreinte_sha256": document.sha256,
        }
        if request is not None:
            data |= {"numero_demande": request.number, "demandeur": request.requester or "",
                     "echeance": request.due_on.isoformat() if request.due_on else ""}
        data |= {f"champ_{f.code}": str(f.value) for f in document.fields if f.value not in (None, "")}
    return data


def _metadata_bytes(kind: str, data: dict[str, Any], shape: ExportShape) -> tuple[str, bytes]:
    if kind == "json":
        return "metadata.json", json.dumps(data, ensure_ascii=False, indent=2).encode()
    if kind == "yaml":
        return "metadata.yaml", yaml.safe_dump(data, allow_unicode=True, sort_keys=False).encode()
    return "metadata.xml", manifest_xml(data, shape)


def manifest_xml(data: dict[str, Any], shape: ExportShape) -> bytes:
    """Pastell's ``<flux>``: ``data`` name/value pairs and ``files`` lists; its ``type`` is what the
    collector's manifest mode needs to create the document."""
    root = etree.Element("flux", type=shape.flux)
    for key, value in data.items():
        if isinstance(value, list):
            files = etree.SubElement(root, "files", name=key)
            for name in value:
                etree.SubElement(files, "file", content=str(name))
        else:
            etree.SubElement(root, "data", name=key, value=str(value))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def export_document(ctx: Context, document_id: int, folder: Path, shape: ExportShape, *, actor: str) -> Path:
    """Write the deposit into ``folder`` in one rename (built in a sibling folder on the same disk)."""
    with ctx.db.session() as session:
        document = session.get(Document, document_id)
        if document is None:
            raise NotFound(f"document {document_id} introuvable")
        stored = document.file(FileRole.SIGNED) if shape.version == "signee" else None
        if stored is not None:
            sha256, name = stored.sha256, f"{Path(document.filename).stem}-copie-signee.pdf"
        else:
            sha256, name = document.sha256, document.filename
    name = Path(name).name or f"document-{document_id}"
    data = export_metadata(ctx, document_id) | {shape.element: [name]}
    folder.mkdir(parents=True, exist_ok=True)
    deposit = f"ged-{document_id}"
    with tempfile.TemporaryDirectory(prefix=".ged-export-", dir=folder.parent) as work:
        staged = Path(work) / deposit
        staged.mkdir()
        shutil.copyfile(ctx.blobs.verified_path(sha256), staged / name)
        metadata_name, metadata = _metadata_bytes(shape.metadata, data, shape)
        (staged / metadata_name).write_bytes(metadata)
        if shape.metadata != "xml":
            (staged / "manifest.xml").write_bytes(manifest_xml(data, shape))
        if shape.done_marker and shape.packaging == "dossier":
            (staged / shape.done_marker).write_text("Le transfert est terminé", encoding="utf-8")
        if shape.packaging == "zip":
            packed = Path(work) / f"{deposit}.zip"
            with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
                for item in sorted(staged.iterdir()):
                    archive.write(item, item.name)
            staged = packed
        target = folder / staged.name
        if target.exists():
            raise InvalidValue(f"le dépôt {target.name} existe déjà dans {folder}")
        for item in [staged] if staged.is_file() else staged.iterdir():
            with item.open("rb") as handle:
                os.fsync(handle.fileno())
        os.rename(staged, target)
        fsync_dir(folder)
    with ctx.db.session() as session:
        journal.append(session, "document.exported", at=ctx.clock(), actor=actor, document_id=document_id,
                       payload={"to": str(target), "flux": shape.flux, "sha256": sha256})
    return target
