"""SEDA 2.2 messages of the elimination procedure and of transfers (namespace ``…:seda:v2.2``).

SEDA 2.x has no "destruction request": an elimination is asked of the control authority (the
Archives départementales) with ``AuthorizationControlAuthorityRequest``, and notified once done
with ``ArchiveDestructionNotification`` (FIELD-NOTES). The official schemas ship in
``seda_xsd/``; ``validate`` checks a message against them offline (xmlschema bundles the
xml.xsd and xlink.xsd the schemas import by URL).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from .xml_errors import schema_error

NS = "fr:gouv:culture:archivesdefrance:seda:v2.2"
SCHEMA = Path(__file__).parent / "seda_xsd" / "seda-2.2-main.xsd"


@dataclass(frozen=True)
class Party:
    identifier: str
    name: str | None = None


def _element(parent: ET.Element | None, tag: str, text: str | None = None) -> ET.Element:
    element = ET.Element(f"{{{NS}}}{tag}") if parent is None else ET.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _party(parent: ET.Element, tag: str, party: Party) -> None:
    element = _element(parent, tag)
    _element(element, "Identifier", party.identifier)


def _header(root: ET.Element, *, comment: str, at: datetime, identifier: str,
            archival_agreement: str | None = None) -> None:
    _element(root, "Comment", comment)
    _element(root, "Date", at.replace(microsecond=0).isoformat())
    _element(root, "MessageIdentifier", identifier)
    if archival_agreement:
        _element(root, "ArchivalAgreement", archival_agreement)
    _element(root, "CodeListVersions")


def _serialise(root: ET.Element) -> bytes:
    ET.register_namespace("", NS)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def authorization_request(*, identifier: str, at: datetime, reason: str, comment: str, units: list[str],
                          requester: Party, archival_agency: Party, control_authority: Party) -> bytes:
    """Ask the control authority for its visa on eliminating ``units`` (AuthorizationControlAuthorityRequest)."""
    root = _element(None, "AuthorizationControlAuthorityRequest")
    _header(root, comment=comment, at=at, identifier=identifier)
    content = _element(root, "AuthorizationRequestContent")
    _element(content, "AuthorizationReason", reason)
    _element(content, "RequestDate", at.date().isoformat())
    for unit in units:
        _element(content, "UnitIdentifier", unit)
    _party(content, "Requester", requester)
    _party(root, "ArchivalAgency", archival_agency)
    _party(root, "ControlAuthority", control_authority)
    return _serialise(root)


def destruction_notification(*, identifier: str, at: datetime, comment: str, visa: str, units: list[str],
                             archival_agency: Party, originating_agency: Party) -> bytes:
    """Tell the control authority that ``units`` were destroyed under visa ``visa`` (ArchiveDestructionNotification)."""
    root = _element(None, "ArchiveDestructionNotification")
    _header(root, comment=comment, at=at, identifier=identifier)
    _element(root, "AuthorizationRequestReplyIdentifier", visa)
    for unit in units:
        _element(root, "UnitIdentifier", unit)
    _party(root, "ArchivalAgency", archival_agency)
    _party(root, "OriginatingAgency", originating_agency)
    return _serialise(root)


@dataclass(frozen=True)
class TransferFile:
    """One file of a transferred record, as it lies in the package (``content/…``)."""

    uri: str
    version: str
    """``BinaryMaster_1`` (the original as received) or ``Dissemination_1`` (the signed PDF/A copy)."""
    sha512: str
    size: int
    media_type: str
    filename: str


@dataclass(frozen=True)
class TransferUnit:
    identifier: str
    title: str
    description: str
    document_type: str
    start: date
    end: date
    files: tuple[TransferFile, ...]
    rule: str
    """Identifier of the retention rule (its family in the tableau de gestion)."""
    rule_start: date | None
    references: tuple[str, ...] = ()
    """Identifiers of other units of the package this one refers to (its attestation of digitisation)."""


def archive_transfer(*, identifier: str, at: datetime, comment: str, units: list[TransferUnit],
                     archival_agency: Party, transferring_agency: Party, originating_agency: Party,
                     archival_agreement: str | None = None, archival_profile: str | None = None) -> bytes:
    """The manifest of a transfer (ArchiveTransfer): binary objects with SHA-512, one archive unit each,
    under the archival agreement and profile the Archives gave (when they gave them)."""
    root = _element(None, "ArchiveTransfer")
    _header(root, comment=comment, at=at, identifier=identifier, archival_agreement=archival_agreement)
    package = _element(root, "DataObjectPackage")
    for unit in units:
        for index, item in enumerate(unit.files):
            data_object = _element(package, "BinaryDataObject")
            data_object.set("id", f"BDO-{unit.identifier}-{index + 1}")
            _element(data_object, "DataObjectGroupId" if index == 0 else "DataObjectGroupReferenceId",
                     f"GRP-{unit.identifier}")
            _element(data_object, "DataObjectVersion", item.version)
            _element(data_object, "Uri", item.uri)
            digest = _element(data_object, "MessageDigest", item.sha512)
            digest.set("algorithm", "SHA-512")
            _element(data_object, "Size", str(item.size))
            _element(_element(data_object, "FormatIdentification"), "MimeType", item.media_type)
            _element(_element(data_object, "FileInfo"), "Filename", item.filename)
    descriptive = _element(package, "DescriptiveMetadata")
    for unit in units:
        archive_unit = _element(descriptive, "ArchiveUnit")
        archive_unit.set("id", f"AU-{unit.identifier}")
        management = _element(_element(archive_unit, "Management"), "AppraisalRule")
        _element(management, "Rule", unit.rule)
        if unit.rule_start is not None:
            _element(management, "StartDate", unit.rule_start.isoformat())
        _element(management, "FinalAction", "Keep")
        content = _element(archive_unit, "Content")
        _element(content, "DescriptionLevel", "Item")
        _element(content, "Title", unit.title)
        _element(content, "Description", unit.description)
        _element(content, "DocumentType", unit.document_type)
        if unit.references:
            related = _element(_element(content, "RelatedObjectReference"), "References")
            for referred in unit.references:
                _element(related, "ArchiveUnitRefId", f"AU-{referred}")
        _element(content, "StartDate", unit.start.isoformat())
        _element(content, "EndDate", unit.end.isoformat())
        reference = _element(archive_unit, "DataObjectReference")
        _element(reference, "DataObjectGroupReferenceId", f"GRP-{unit.identifier}")
    management_metadata = _element(package, "ManagementMetadata")
    if archival_profile:
        _element(management_metadata, "ArchivalProfile", archival_profile)
    _element(management_metadata, "OriginatingAgencyIdentifier", originating_agency.identifier)
    _element(management_metadata, "SubmissionAgencyIdentifier", transferring_agency.identifier)
    _party(root, "ArchivalAgency", archival_agency)
    _party(root, "TransferringAgency", transferring_agency)
    return _serialise(root)


def transfer_reply(*, identifier: str, at: datetime, request: str, code: str, archival_agency: Party,
                   transferring_agency: Party) -> bytes:
    """An ArchiveTransferReply, as the Archives send it back (used by tests and by hand-made replies)."""
    root = _element(None, "ArchiveTransferReply")
    _header(root, comment="Réponse au transfert", at=at, identifier=identifier)
    _element(root, "ReplyCode", code)
    _element(root, "MessageRequestIdentifier", request)
    _element(root, "GrantDate", at.replace(microsecond=0).isoformat())
    _party(root, "ArchivalAgency", archival_agency)
    _party(root, "TransferringAgency", transferring_agency)
    return _serialise(root)


@cache
def _schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA))


def validate(message: bytes) -> list[str]:
    """Schema errors of a message, each as ``where : what`` in French (empty when valid)."""
    return [schema_error(error) for error in _schema().iter_errors(message.decode("utf-8"))]


def reply_code(message: bytes) -> tuple[str, str | None, str | None]:
    """(root tag, ReplyCode, MessageRequestIdentifier) of a reply such as ArchiveTransferReply."""
    root = ET.fromstring(message)
    tag = root.tag.split("}", 1)[-1]
    code = root.findtext(f"{{{NS}}}ReplyCode")
    request = root.findtext(f"{{{NS}}}MessageRequestIdentifier")
    return tag, code, request

