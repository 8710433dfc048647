"""The embedded engine's own stemming (see ``ged.search.embedded``): the stems it indexes must be
the ones the analyzer makes, and its cache of stems must stay bounded."""

from __future__ import annotations

from pathlib import Path

import pytest

from ged.search import SearchRequest, embedded

from .test_contract import CORPUS


def test_indexed_stems_are_the_analyzers_with_a_place_for_each_removed_word(tmp_path: Path) -> None:
    engine = embedded.EmbeddedEngine(tmp_path)
    text = "L'éclairage de la rue des Lilas ne fonctionne plus : demandée, demandes, DEMANDE."
    expected = [engine._stem.analyze(word) for word in engine._words.analyze(text)]
    assert engine._stemmed(text).split(" ") == [terms[0] if terms else "\u00b7" for terms in expected]
    assert engine._stemmed(text).split(" ")[:3] == ["\u00b7", "eclairag", "\u00b7"]  # l', de: stop words


def test_the_stems_cache_is_bounded_and_forgetting_changes_nothing(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "_STEMS_KEPT", 5)
    engine = embedded.EmbeddedEngine(tmp_path)
    engine.index(CORPUS)
    assert len(engine._stems) <= 5
    assert [hit.id for hit in engine.search(SearchRequest(text='"rue des Lilas"')).hits] == [1]
    assert {hit.id for hit in engine.search(SearchRequest(text="demandée")).hits} == {2}
