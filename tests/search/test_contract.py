"""What every search engine must do: the same tests run on each engine of ``ENGINES``."""

from __future__ import annotations

from datetime import datetime

import pytest

from ged.search import IndexedDocument, SearchEngine, SearchRequest

CORPUS = [
    IndexedDocument(id=1, title="signalement.png", state="traite", doc_type="voirie", service="technique",
                    received_at=datetime(2025, 3, 3, 9),
                    text="Je vous signale que l'éclairage public de la rue des Lilas ne fonctionne plus depuis "
                         "le 28 février. Les lampadaires restent éteints."),
    IndexedDocument(id=2, title="acte.tif", state="traite", doc_type="etat_civil", service="etat_civil",
                    received_at=datetime(2025, 4, 10, 9),
                    text="Je vous demande une copie integrale de mon acte de naissance. Demandee par M. Martin."),
    IndexedDocument(id=3, title="facture.pdf", state="valide", doc_type="facture", service="finances",
                    received_at=datetime(2025, 5, 20, 9),
                    text="Facture FA-2025-10482 : remplacement de lanternes, rue des Tilleuls. Montant TTC "
                         "10 140,00 €."),
    IndexedDocument(id=4, title="reclamation.pdf", state="traite", doc_type="reclamation", service="accueil",
                    received_at=datetime(2025, 6, 1, 9),
                    text="Réclamation : les bacs de la place du Marché ne sont pas collectés. Dépôt sauvage."),
    IndexedDocument(id=5, title="ocr-abime.png", state="a_verifier", doc_type="voirie", service="technique",
                    received_at=datetime(2025, 6, 15, 9),
                    text="Signalernent : eclalrage en panne avenue Jean Jaurès, candélabre tombé."),
    IndexedDocument(id=6, title="xss.pdf", state="traite", doc_type="autre", service="accueil",
                    received_at=datetime(2025, 7, 1, 9),
                    text="Courrier <script>alert('x')</script> concernant l'éclairage du stade."),
]


@pytest.fixture
def indexed(engine: SearchEngine) -> SearchEngine:
    assert engine.index(CORPUS) == len(CORPUS)
    return engine


def ids(engine: SearchEngine, **kwargs: object) -> list[int]:
    return [hit.id for hit in engine.search(SearchRequest(**kwargs)).hits]  # type: ignore[arg-type]


def test_words_rank_the_best_document_first(indexed: SearchEngine) -> None:
    result = indexed.search(SearchRequest(text="éclairage rue des Lilas"))
    assert result.hits[0].id == 1 and result.total == 1


def test_stemming_and_elision(indexed: SearchEngine) -> None:
    assert 1 in ids(indexed, text="lampadaire")
    assert 1 in ids(indexed, text="l'éclairage")


def test_accents_lost_by_ocr_still_match(indexed: SearchEngine) -> None:
    assert 2 in ids(indexed, text="intégrale")
    assert 2 in ids(indexed, text="demandée")
    assert 4 in ids(indexed, text="reclamation collectes")


def test_fuzzy_terms_survive_ocr_errors(indexed: SearchEngine) -> None:
    assert 5 in ids(indexed, text="éclairage signalement")
    assert set(ids(indexed, text="eclairaje")) >= {1, 6}


def test_phrase_and_exclusion(indexed: SearchEngine) -> None:
    assert ids(indexed, text='"rue des Lilas"') == [1]
    assert ids(indexed, text='"rue des Lilas" -lampadaires') == []
    assert 3 not in ids(indexed, text="rue -tilleuls")


def test_filters_by_type_service_state_and_date(indexed: SearchEngine) -> None:
    assert sorted(ids(indexed, doc_types=frozenset({"voirie"}))) == [1, 5]
    assert ids(indexed, text="éclairage", services=frozenset({"accueil"})) == [6]
    assert ids(indexed, states=frozenset({"valide"})) == [3]
    window = ids(indexed, received_from=datetime(2025, 4, 1), received_to=datetime(2025, 5, 31, 23, 59))
    assert sorted(window) == [2, 3]


def test_permissions_are_applied_inside_the_engine(indexed: SearchEngine) -> None:
    visible = indexed.search(SearchRequest(text="éclairage", allowed_services=frozenset({"technique"})))
    assert {h.id for h in visible.hits} == {1, 5} and visible.total == 2
    assert indexed.search(SearchRequest(allowed_services=frozenset())).total == 0
    assert set(visible.facets["service"]) == {"technique"}


def test_facets_count_the_matching_documents(indexed: SearchEngine) -> None:
    facets = indexed.search(SearchRequest(text="éclairage")).facets
    assert facets["doc_type"] == {"voirie": 2, "autre": 1}
    assert facets["service"] == {"technique": 2, "accueil": 1}


def test_paging_and_sorting_by_date(indexed: SearchEngine) -> None:
    everything = indexed.search(SearchRequest(limit=4, sort="date"))
    assert everything.total == 6 and [h.id for h in everything.hits] == [6, 5, 4, 3]
    rest = indexed.search(SearchRequest(limit=4, offset=4, sort="date"))
    assert [h.id for h in rest.hits] == [2, 1]


def test_snippets_mark_matches_and_escape_document_text(indexed: SearchEngine) -> None:
    [hit] = indexed.search(SearchRequest(text="stade")).hits
    assert "<mark>stade</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    first = indexed.search(SearchRequest(text="eclairaje", doc_types=frozenset({"voirie"}))).hits
    assert any("<mark>éclairage</mark>" in h.snippet for h in first)


def test_hits_carry_metadata(indexed: SearchEngine) -> None:
    [hit] = indexed.search(SearchRequest(text="Tilleuls")).hits
    assert (hit.title, hit.doc_type, hit.service, hit.state) == ("facture.pdf", "facture", "finances", "valide")
    assert hit.received_at == datetime(2025, 5, 20, 9) and hit.score > 0


def test_reindexing_a_document_replaces_it(indexed: SearchEngine) -> None:
    changed = IndexedDocument(id=3, title="facture.pdf", text="Avoir sur commande de bancs publics",
                              state="archive", received_at=datetime(2025, 5, 20, 9))
    indexed.index([changed])
    assert ids(indexed, text="Tilleuls") == [] and ids(indexed, text="bancs")[0] == 3
    assert indexed.search(SearchRequest()).total == 6


def test_delete_and_full_reindex(indexed: SearchEngine) -> None:
    indexed.delete([1, 2])
    assert indexed.search(SearchRequest()).total == 4
    assert indexed.reindex(CORPUS[:2]) == 2
    assert sorted(ids(indexed)) == [1, 2]


def test_stop_words_only_query_matches_everything(indexed: SearchEngine) -> None:
    assert indexed.search(SearchRequest(text="de la")).total == 6


def test_prefix_queries(indexed: SearchEngine) -> None:
    assert ids(indexed, text="lampad*") == [1]
    assert sorted(ids(indexed, text="éclair*")) == [1, 6]
    [hit] = indexed.search(SearchRequest(text="lampad*")).hits
    assert "<mark>lampadaires</mark>" in hit.snippet


def test_fuzzy_expansion_only_when_the_exact_words_find_little(indexed: SearchEngine) -> None:
    assert 5 in ids(indexed, text="candelabre")  # found as typed (accent folded)
    assert set(ids(indexed, text="eclairaje")) >= {1, 5, 6}  # a word the index does not hold: fuzzy
    damaged = indexed.search(SearchRequest(text="eclalrage", doc_types=frozenset({"voirie"}))).hits
    assert [h.id for h in damaged][0] == 5 and "<mark>eclalrage</mark>" in damaged[0].snippet


def test_ocr_damaged_words_are_highlighted(indexed: SearchEngine) -> None:
    [hit] = indexed.search(SearchRequest(text="signalement panne", doc_types=frozenset({"voirie"}),
                                         states=frozenset({"a_verifier"}))).hits
    assert "<mark>Signalernent</mark>" in hit.snippet and "<mark>panne</mark>" in hit.snippet


def test_facet_counts_under_permissions(indexed: SearchEngine) -> None:
    facets = indexed.search(SearchRequest(text="éclairage", allowed_services=frozenset({"accueil"}))).facets
    assert facets["service"] == {"accueil": 1} and facets["doc_type"] == {"autre": 1}
    everything = indexed.search(SearchRequest(allowed_services=frozenset({"technique", "finances"}))).facets
    assert everything["doc_type"] == {"voirie": 2, "facture": 1} and everything["state"] == {
        "traite": 1, "a_verifier": 1, "valide": 1}


def test_facets_are_skipped_when_not_asked_for(indexed: SearchEngine) -> None:
    counted = indexed.search(SearchRequest(text="éclairage"))
    skipped = indexed.search(SearchRequest(text="éclairage", facets=False))
    assert counted.facets["doc_type"] and skipped.facets == {}
    assert (skipped.total, [h.id for h in skipped.hits]) == (counted.total, [h.id for h in counted.hits])
