"""The embedded engine's own stemming (see ``ged.search.embedded``): the stems it indexes must be
the ones the analyzer makes, and its cache of stems must stay bounded."""

from __future__ import annotations

from pathlib import Path

import pytest
import tantivy

from ged.search import SearchRequest, embedded

from .test_contract import CORPUS


def test_indexed_stems_are_the_analyzers_with_a_place_for_each_removed_word(tmp_path: Path) -> None:
    engine = embedded.EmbeddedEngine(tmp_path)
    text = ("L'éclairage de la rue des Lilas ne fonctionne plus : demandée, demandes, DEMANDE.\n"
            "Réf.\u00a0n°2024-117 — «\u202fvoirie\u202f» … rue_du_Port, l’ÉCOLE, 3e étage, " + "x" * 70 + " fin")
    # The whole text through tantivy's own tokenizer, as a whole: what the engine splits into runs first.
    words = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(60))
             .filter(tantivy.Filter.lowercase()).build()).analyze(text)
    expected = [terms[0] if terms else "\u00b7" for terms in map(engine._stem.analyze, words)]
    assert engine._stemmed(text).split() == expected
    assert engine._stemmed(text).split()[:3] == ["\u00b7", "eclairag", "\u00b7"]  # l', de: stop words
    # Split at "_" and "’"; the word of 70 letters is dropped (by the tokenizer, so without a placeholder).
    assert expected[-8:] == ["ru", "\u00b7", "port", "\u00b7", "ecol", "3e", "etag", "fin"]


def test_the_stems_cache_is_bounded_and_forgetting_changes_nothing(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "_STEMS_KEPT", 5)
    engine = embedded.EmbeddedEngine(tmp_path)
    engine.index(CORPUS)
    assert len(engine._run_stems) <= 5 and len(engine._run_stems.words) <= 5
    assert [hit.id for hit in engine.search(SearchRequest(text='"rue des Lilas"')).hits] == [1]
    assert {hit.id for hit in engine.search(SearchRequest(text="demandée")).hits} == {2}


def test_long_runs_are_stemmed_but_not_remembered(tmp_path: Path) -> None:
    engine = embedded.EmbeddedEngine(tmp_path)
    link = "https://www.service-public.fr/particuliers/vosdroits/F1234?lang=fr&demandes=eclairage"
    assert len(link) > embedded._MEMO_KEY_CHARS
    stems = engine._stemmed(f"voir {link} demandée")
    assert stems.split()[-1] == "demand" and "eclairag" in stems.split()
    assert link not in engine._run_stems and "demandée" in engine._run_stems
