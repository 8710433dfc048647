"""Archiving profiles: the RelaxNG grammar the Archives départementales give (made with SHERPA or
Agape) that every transfer's manifest must match, on top of the SEDA schema. The schema says what a
message may hold; the profile says what this archive service accepts (its agreement, its document
types, the descriptions it requires). Validated with lxml; each error is reported in French with
the archive unit it falls in, so the archivist knows which record to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lxml import etree

from .seda import NS
from .xml_errors import profile_error


class ProfileUnreadable(ValueError):
    """The profile file is not a RelaxNG grammar lxml can compile."""


@dataclass(frozen=True)
class ProfileError:
    line: int
    unit: str | None
    """The ``id`` of the ArchiveUnit (or BinaryDataObject) the error falls in, if any."""
    message: str

    def __str__(self) -> str:
        where = f"{self.unit} (ligne {self.line})" if self.unit else f"ligne {self.line}"
        return f"{where} : {self.message}"


@cache
def _grammar(path: Path, _modified: float) -> etree.RelaxNG:
    try:
        return etree.RelaxNG(etree.parse(str(path)))
    except (etree.XMLSyntaxError, etree.RelaxNGParseError, OSError) as exc:
        raise ProfileUnreadable(f"profil d'archivage illisible ({path}) : {exc}") from exc


def identifier(path: Path) -> str:
    """The profile's identifier as the message must carry it: the grammar's ``seda:ArchivalProfile``
    value when it fixes one, else the file's name without extension (SHERPA names files by it)."""
    try:
        tree = etree.parse(str(path))
    except (etree.XMLSyntaxError, OSError) as exc:
        raise ProfileUnreadable(f"profil d'archivage illisible ({path}) : {exc}") from exc
    for element in tree.iter("{http://relaxng.org/ns/structure/1.0}element"):
        if element.get("name") in ("ArchivalProfile", "seda:ArchivalProfile"):
            value = element.find("{http://relaxng.org/ns/structure/1.0}value")
            if value is not None and value.text:
                return value.text.strip()
    return path.stem


def validate(message: bytes, path: Path) -> list[ProfileError]:
    """What in the message the profile refuses (empty when it matches)."""
    grammar = _grammar(path.resolve(), path.stat().st_mtime)
    document = etree.fromstring(message, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    if grammar.validate(document.getroottree()):
        return []
    by_line = {element.sourceline: element for element in document.iter() if isinstance(element.tag, str)}
    errors = []
    for entry in grammar.error_log:
        element = by_line.get(entry.line)
        errors.append(ProfileError(entry.line, _unit_of(element), profile_error(entry.message)))
    return errors


def _unit_of(element: etree._Element | None) -> str | None:
    while element is not None:
        if element.tag in (f"{{{NS}}}ArchiveUnit", f"{{{NS}}}BinaryDataObject") and element.get("id"):
            return str(element.get("id"))
        element = element.getparent()
    return None
