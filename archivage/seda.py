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


def _header(root: ET.Element, *, comment: str, at: datetime, identifier: str) -> None:
    _element(root, "Comment", comment)
    _element(root, "Date", at.replace(microsecond=0).isoformat())
    _element(root, "MessageIdentifier", identifier)
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


@cache
def _schema() -> Any:
    import xmlschema

    return xmlschema.XMLSchema(str(SCHEMA))


def validate(message: bytes) -> list[str]:
    """Schema errors of a message (empty when valid)."""
    return [str(error.reason or error) for error in _schema().iter_errors(message.decode("utf-8"))]


def reply_code(message: bytes) -> tuple[str, str | None, str | None]:
    """(root tag, ReplyCode, MessageRequestIdentifier) of a reply such as ArchiveTransferReply."""
    root = ET.fromstring(message)
    tag = root.tag.split("}", 1)[-1]
    code = root.findtext(f"{{{NS}}}ReplyCode")
    request = root.findtext(f"{{{NS}}}MessageRequestIdentifier")
    return tag, code, request


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None
