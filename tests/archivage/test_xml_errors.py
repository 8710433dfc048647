"""Refusals of the SEDA schema and of an archiving profile, worded in French from the real validators."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from archivage import profiles, seda
from archivage.xml_errors import profile_error

AT = datetime(2037, 1, 5, 10, 0, tzinfo=UTC)
REPLY = seda.transfer_reply(identifier="R-1", at=AT, request="T-1", code="OK", archival_agency=seda.Party("FRAD044"),
                            transferring_agency=seda.Party("FRCOMMUNE-44162"))


def _broken(old: bytes, new: bytes) -> list[str]:
    assert old in REPLY
    return seda.validate(REPLY.replace(old, new, 1))


def test_schema_errors_say_where_and_what_in_french() -> None:
    assert seda.validate(REPLY) == []
    identifier = b"<MessageIdentifier>R-1</MessageIdentifier>"
    assert _broken(identifier, b"") == [
        "/ArchiveTransferReply : élément CodeListVersions inattendu en position 3, attendu : MessageIdentifier"]
    assert _broken(identifier, identifier + b"<Objet>x</Objet>") == [
        "/ArchiveTransferReply : élément Objet inattendu en position 4, attendu : CodeListVersions"]
    assert _broken(b"<Comment", b'<Comment motif="1"') == ["/ArchiveTransferReply/Comment : attribut motif non admis"]
    assert _broken(b"<MessageRequestIdentifier>T-1<", b"<MessageRequestIdentifier><") == [
        "/ArchiveTransferReply/MessageRequestIdentifier : valeur vide trop courte : au moins 1 caractère"]
    date = _broken(b"<Date>2037-01-05T10:00:00", b"<Date>le 5 janvier")
    assert date[0].startswith("/ArchiveTransferReply/Date : valeur « le 5 janvier")
    assert date[0].endswith("» invalide pour le type dateTime")


_GRAMMAR = """<grammar xmlns="http://relaxng.org/ns/structure/1.0"
 datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <start><element name="Versement">
    <attribute name="id"/>
    <element name="Accord"><choice><value>AA-1</value><value>AA-2</value></choice></element>
    <element name="Nombre"><data type="integer"/></element>
    <optional><element name="Note"><empty/></element></optional>
  </element></start>
</grammar>"""


def test_profile_errors_are_libxml2_sentences_reworded(tmp_path: Path) -> None:
    grammar = tmp_path / "profil.rng"
    grammar.write_text(_GRAMMAR, encoding="utf-8")

    def refused(message: str) -> list[str]:
        return [error.message for error in profiles.validate(message.encode(), grammar)]

    assert refused('<Versement id="v"><Accord>AA-1</Accord><Nombre>3</Nombre></Versement>') == []
    assert refused('<Versement id="v"><Nombre>3</Nombre></Versement>') == ["élément Nombre inattendu à cet endroit"]
    assert refused('<Versement id="v"><Accord>AA-1</Accord></Versement>') == ["un élément attendu manque"]
    assert refused('<Versement id="v"><Accord>AA-9</Accord><Nombre>3</Nombre></Versement>') == [
        "valeur non admise par le profil", "contenu de l'élément Accord non conforme"]
    assert refused('<Versement id="v"><Accord>AA-1</Accord><Nombre>trois</Nombre></Versement>') == [
        "le type integer n'admet pas la valeur « trois »", "valeur non conforme au type integer",
        "contenu de l'élément Nombre non conforme"]
    assert refused('<Versement><Accord>AA-1</Accord><Nombre>3</Nombre></Versement>') == [
        "attributs de l'élément Versement non conformes"]
    assert refused('<Versement id="v" x="1"><Accord>AA-1</Accord><Nombre>3</Nombre><Note>x</Note></Versement>') == [
        "texte inattendu dans l'élément Note", "attribut x non admis sur l'élément Versement"]
    assert profiles.validate(b"<Versement/>", grammar)[0].line == 1


def test_a_sentence_of_no_known_kind_is_kept_as_the_validator_wrote_it() -> None:
    assert profile_error("Internal error: no state") == "message du valideur : Internal error: no state"
