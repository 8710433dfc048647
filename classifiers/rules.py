"""The rule layer: per-type keywords and patterns from configuration, usable with no training data.

A commune starts with the rules on day one; they stay as a second opinion once a model is
trained, and they are how a type that no model knows yet gets recognised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from .text import fold, fold_lines

_SUBJECT = re.compile(r"(?m)^[^\S\n]*(?:objet|concerne|subject)[^\S\n]*:[^\S\n]*(.+)$")


@dataclass(frozen=True)
class TypeRule:
    keywords: tuple[str, ...] = ()
    """Words or phrases (folded before matching, so accents do not matter); one point each."""
    patterns: tuple[str, ...] = ()
    """Regular expressions on the folded text; two points each (they are more specific)."""
    identified_by: tuple[str, ...] = ()
    """Regular expressions that identify the type outright, whatever the model says: an official
    form's number (``13406*07`` is a Cerfa of building permit)."""
    excluded_by: tuple[str, ...] = ()
    """Regular expressions that rule the type out whatever else the text says: the genre of the page
    (a quote's ``Devis n°`` is not an invoice, however many amounts and VAT rates it lists)."""


@dataclass(frozen=True)
class RuleSet:
    rules: Mapping[str, TypeRule]

    @cached_property
    def _compiled(self) -> dict[str, list[tuple[re.Pattern[str], float]]]:
        compiled: dict[str, list[tuple[re.Pattern[str], float]]] = {}
        for doc_type, rule in self.rules.items():
            entries = [(re.compile(r"(?<![a-z0-9])" + r"\s+".join(map(re.escape, fold(k).split()))), 1.0)
                       for k in rule.keywords]
            entries += [(re.compile(p), 2.0) for p in rule.patterns]
            compiled[doc_type] = entries
        return compiled

    @cached_property
    def _exclusions(self) -> dict[str, list[re.Pattern[str]]]:
        return {doc_type: [re.compile(p) for p in rule.excluded_by] for doc_type, rule in self.rules.items()
                if rule.excluded_by}

    def points(self, text: str) -> dict[str, float]:
        """Points per type: one per distinct keyword found, two per pattern; what the subject line
        (``Objet :``) says counts twice, since a word in passing is weaker evidence than the subject."""
        folded = fold_lines(text)
        subject = " ".join(m.group(1) for m in _SUBJECT.finditer(folded))
        flat = " ".join(folded.split())
        return {doc_type: sum(weight * (1 + bool(subject and regex.search(subject)))
                              for regex, weight in entries if regex.search(flat))
                for doc_type, entries in self._compiled.items()}

    @cached_property
    def _identifiers(self) -> dict[str, list[re.Pattern[str]]]:
        return {doc_type: [re.compile(p) for p in rule.identified_by] for doc_type, rule in self.rules.items()
                if rule.identified_by}

    def identified(self, text: str) -> str | None:
        """The type an official form number in the text names, if exactly one type is named."""
        folded = fold(text)
        found = {t for t, regexes in self._identifiers.items() if any(r.search(folded) for r in regexes)}
        return found.pop() if len(found) == 1 else None

    def excluded(self, text: str) -> frozenset[str]:
        """The types the text's genre rules out."""
        folded = fold(text)
        return frozenset(t for t, regexes in self._exclusions.items() if any(r.search(folded) for r in regexes))

    @staticmethod
    def shares(points: Mapping[str, float], *, fallback: str) -> dict[str, float]:
        """Points made into shares; a text that matches nothing goes to ``fallback`` at low confidence."""
        total = sum(points.values())
        if total == 0:
            others = len(points) or 1
            return {t: (0.3 if t == fallback else 0.7 / max(1, others - 1)) for t in points} | {fallback: 0.3}
        # One point is a hint, not a decision: confidence grows with the evidence.
        evidence = min(1.0, total / 4.0)
        uniform = 1.0 / len(points)
        return {t: evidence * (p / total) + (1 - evidence) * uniform for t, p in points.items()}

