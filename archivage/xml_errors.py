"""Why a SEDA message fails its schema or its archiving profile, in French.

The archivist reads these when a transfer is refused before it leaves, and must find what to fix.
The validators speak English: xmlschema (the SEDA schema) gives structured errors, which are
worded here from their parts (the element, the value, the facet); libxml2 (the RelaxNG profile,
through lxml) gives sentences of a fixed set, reworded from their pattern. A sentence of neither
kind is kept as the validator wrote it, said to be the validator's own.
"""

from __future__ import annotations

import re
from typing import Any

_UNTRANSLATED = "message du valideur : {}"


def _local(name: object) -> str:
    """``{namespace}Name`` or ``seda:Name`` as ``Name``."""
    return re.sub(r"^\{[^}]*\}|^\w+:", "", str(name))


def _expected(items: Any) -> str:
    names = [_local(getattr(item, "name", None) or item) for item in items or ()]
    return ", ".join(dict.fromkeys(name for name in names if name)) or "rien"


def _quoted(value: object) -> str:
    return f"« {value} »" if value not in ("", None) else "vide"


def _chars(count: object) -> str:
    return f"{count} caractère{'s' if count != 1 else ''}"


def schema_error(error: Any) -> str:
    """One error of ``xmlschema``'s ``iter_errors``, as ``where : what`` in French."""
    where = error.path or "/"
    kind, validator, value = type(error).__name__, type(error.validator).__name__, error.obj
    if kind == "XMLSchemaChildrenValidationError":
        if error.invalid_tag is None:
            what = f"contenu incomplet, il manque : {_expected(error.expected)}"
        else:
            what = (f"élément {_local(error.invalid_tag)} inattendu en position {error.index + 1}, "
                    f"attendu : {_expected(error.expected)}")
    elif kind == "XMLSchemaDecodeError":
        what = f"valeur {_quoted(value)} invalide pour le type {_local(error.validator.name or 'anyType')}"
    elif validator == "XsdMinLengthFacet":
        what = f"valeur {_quoted(value)} trop courte : au moins {_chars(error.validator.value)}"
    elif validator == "XsdMaxLengthFacet":
        what = f"valeur trop longue : au plus {_chars(error.validator.value)}"
    elif validator == "XsdLengthFacet":
        what = f"valeur {_quoted(value)} de longueur invalide : exactement {_chars(error.validator.value)}"
    elif validator == "XsdEnumerationFacets":
        allowed = ", ".join(f"« {v} »" for v in list(error.validator.enumeration)[:12])
        what = f"valeur {_quoted(value)} non admise, valeurs possibles : {allowed}"
    elif validator == "XsdPatternFacets":
        what = f"valeur {_quoted(value)} hors du format attendu ({' ou '.join(error.validator.regexps)})"
    elif validator in ("XsdMinInclusiveFacet", "XsdMinExclusiveFacet", "XsdMaxInclusiveFacet",
                       "XsdMaxExclusiveFacet"):
        what = f"valeur {_quoted(value)} hors des bornes admises ({error.validator.value})"
    elif (found := re.fullmatch(r"missing required attribute '(.+)'", error.reason or "")) is not None:
        what = f"attribut obligatoire {_local(found.group(1))} absent"
    elif (found := re.fullmatch(r"'(.+)' attribute not allowed for element", error.reason or "")) is not None:
        what = f"attribut {_local(found.group(1))} non admis"
    else:
        what = _UNTRANSLATED.format(error.reason or error)
    return f"{where} : {what}"


_RELAXNG = [(re.compile(pattern), wording) for pattern, wording in (
    (r"Did not expect element (\S+) there", "élément {0} inattendu à cet endroit"),
    (r"Expecting element (\S+), got (\S+)", "élément {0} attendu, {1} trouvé"),
    (r"Expecting an element , got nothing", "un élément attendu manque"),
    (r"Expecting an element (\S+), got nothing", "élément {0} attendu, absent"),
    (r"Expecting an element got text", "élément attendu, du texte trouvé"),
    (r"Element (\S+) failed to validate content", "contenu de l'élément {0} non conforme"),
    (r"Element (\S+) failed to validate attributes", "attributs de l'élément {0} non conformes"),
    (r"Element (\S+) has extra content: (.+)", "l'élément {0} contient en trop : {1}"),
    (r"Invalid attribute (\S+) for element (\S+)", "attribut {0} non admis sur l'élément {1}"),
    (r"Type (\S+) doesn't allow value '(.*)'", "le type {0} n'admet pas la valeur « {1} »"),
    (r"Error validating datatype (\S+)", "valeur non conforme au type {0}"),
    (r"Error validating value ?(.*)", "valeur non admise par le profil {0}"),
    (r"Error validating list", "liste de valeurs non conforme"),
    (r"Extra element (\S+) in interleave", "élément {0} en trop"),
    (r"Invalid sequence in interleave", "éléments dans un ordre ou un nombre non admis"),
    (r"Did not expect text in element (\S+) content", "texte inattendu dans l'élément {0}"),
    (r"Expecting element (\S+) to be empty", "l'élément {0} doit être vide"),
    (r"Element (\S+) has wrong namespace: expecting (\S+)", "l'élément {0} n'est pas dans l'espace de noms {1}"),
    (r"Expecting a namespace for element (\S+)", "l'élément {0} doit avoir un espace de noms"),
    (r"Expecting no namespace for element (\S+)", "l'élément {0} ne doit pas avoir d'espace de noms"),
    (r"Datatype element (\S+) contains no data", "l'élément {0} est vide, une valeur est attendue"),
    (r"Datatype element (\S+) has child elements", "l'élément {0} doit contenir une valeur, pas des éléments"),
    (r"Extra data in the document", "données en trop dans le document"),
    (r"ID (\S+) redefined", "identifiant {0} en double"),
)]


def profile_error(message: str) -> str:
    """One libxml2 RelaxNG message, in French."""
    message = message.strip()
    for pattern, wording in _RELAXNG:
        if (found := pattern.fullmatch(message)) is not None:
            return wording.format(*(_local(group).strip() for group in found.groups())).replace("  ", " ").strip()
    return _UNTRANSLATED.format(message)
