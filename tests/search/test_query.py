"""What users type in the search box: words, phrases, exclusions, prefixes and typed filters."""

from __future__ import annotations

from datetime import datetime

from ged.search import SearchRequest
from ged.search.query import parse, typed_filters


def test_typed_filters_join_the_request() -> None:
    request = typed_filters(SearchRequest(text="éclairage type:voirie Service:Services_techniques etat:traité "
                                               "du:01/01/2025 au:2025-06-30", states=frozenset({"validated"})))
    assert request.text == "éclairage"
    assert request.doc_types == {"voirie"} and request.services == {"services_techniques"}
    assert request.states == {"validated", "processed"}
    assert request.received_from == datetime(2025, 1, 1)
    assert request.received_to == datetime(2025, 6, 30, 23, 59, 59, 999999)


def test_what_is_not_a_filter_stays_words() -> None:
    request = SearchRequest(text="du:demain réf:12 http://exemple.fr")
    assert typed_filters(request) is request
    assert [c.text for c in parse("lampad* -rue")] == ["lampad*", "rue"]
