"""What users type in the search box: words, phrases, exclusions, prefixes and typed filters."""

from __future__ import annotations

from datetime import datetime

from ged.search import SearchRequest
from ged.search.query import parse, typed_filters
from ged.search.snippets import Highlighter, Terms, fold


def test_typed_filters_join_the_request() -> None:
    request = typed_filters(SearchRequest(text="éclairage type:voirie Service:Services_techniques etat:traité "
                                               "du:01/01/2025 au:2025-06-30", states=frozenset({"validated"})))
    assert request.text == "éclairage"
    assert request.doc_types == {"voirie"} and request.services == {"services_techniques"}
    assert request.states == {"valide", "traite"}  # an old English value is read too
    assert request.received_from == datetime(2025, 1, 1)
    assert request.received_to == datetime(2025, 6, 30, 23, 59, 59, 999999)


def test_what_is_not_a_filter_stays_words() -> None:
    request = SearchRequest(text="du:demain réf:12 http://exemple.fr")
    assert typed_filters(request) is request
    assert [c.text for c in parse("lampad* -rue")] == ["lampad*", "rue"]


def test_folding_keeps_every_offset_whatever_the_characters() -> None:
    """The snippets scan a folded copy and mark the text at the same offsets: one character for one,
    French typography's narrow no-break space, letters outside windows-1252 and emoji included."""
    text = "ÉTÉ\u202f: Œuvre de Łukasz à Pèl’Ãne 😀 — coût 12 € ; ǅ"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("ete : ouvre de lukasz a pel") and folded[3] == " "
    assert "😀" not in folded and folded.endswith("d")


def test_words_are_marked_from_their_beginning_only() -> None:
    """``signal`` marks « Signalement » but not the end of « resignale »; accents and case as written."""
    highlighter = Highlighter(["signal"], Terms(["signal"]), lambda word: [fold(word)[:6]])
    snippet = highlighter.snippet("Il resignale, puis SIGNALE le Signalement à l’Été de Pâques.")
    assert snippet.count("<mark>") == 2
    assert "<mark>SIGNALE</mark>" in snippet and "<mark>Signalement</mark>" in snippet and "resignale" in snippet


def test_an_ocr_variant_is_marked_where_it_is_after_letters_no_code_page_holds() -> None:
    """Words are read on the folded copy, so a letter it replaces (Cyrillic here) cannot shift which
    word is marked."""
    terms = Terms(["signalement"], fuzzy=frozenset({"signalement"}))
    snippet = Highlighter(["signal"], terms, lambda word: [word]).snippet("Жалоба : Signalernent d'une panne.")
    assert "<mark>Signalernent</mark>" in snippet and "<mark>Жалоба</mark>" not in snippet
