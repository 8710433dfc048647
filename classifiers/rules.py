"""The rule layer: per-type keywords and patterns from configuration, usable with no training data.

A commune starts with the rules on day one; they stay as a second opinion once a model is
trained, and they are how a type that no model knows yet gets recognised.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from .text import fold


@dataclass(frozen=True)
class TypeRule:
    keywords: tuple[str, ...] = ()
    """Words or phrases (folded before matching, so accents do not matter); one point each."""
    patterns: tuple[str, ...] = ()
    """Regular expressions on the folded text; two points each (they are more specific)."""


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

    def points(self, text: str) -> dict[str, float]:
        """Points per type: one per distinct keyword found, two per pattern."""
        folded = fold(text)
        return {doc_type: sum(weight for regex, weight in entries if regex.search(folded))
                for doc_type, entries in self._compiled.items()}

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

