"""What only the Elasticsearch engine does: its template, its alias, a reindex without downtime."""

from __future__ import annotations

import threading
import uuid

from ged.search import SearchRequest
from ged.search.elastic import ElasticConnection, ElasticEngine

from .test_contract import CORPUS


def test_template_alias_and_zero_downtime_reindex(es_url: str) -> None:
    engine = ElasticEngine(ElasticConnection(url=es_url, index_prefix=f"t{uuid.uuid4().hex[:8]}"))
    engine.index(CORPUS)
    template = engine.client.indices.get_index_template(name=engine.alias)["index_templates"][0]
    analysis = template["index_template"]["template"]["settings"]["index"]["analysis"]
    assert analysis["analyzer"]["ged_french"]["filter"] == ["ged_elision", "lowercase", "ged_stop", "ged_stemmer",
                                                            "asciifolding"]
    [before] = engine._current()
    seen: list[int] = []
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            seen.append(engine.search(SearchRequest(text="éclairage")).total)

    searcher = threading.Thread(target=keep_searching)
    searcher.start()
    try:
        assert engine.reindex(CORPUS) == len(CORPUS)
    finally:
        stop.set()
        searcher.join()
    [after] = engine._current()
    assert after != before and not engine.client.indices.exists(index=before)
    assert seen and all(total == 3 for total in seen)  # never an empty or half-built index
    assert engine.search(SearchRequest(text="Tilleuls")).hits[0].id == 3


def test_switching_the_installation_to_elasticsearch(ged_home, run_cli, es_url: str, tmp_path,  # noqa: ANN001
                                                     monkeypatch) -> None:  # noqa: ANN001
    from examples.letters import by_name
    from examples.render import born_digital_pdf

    monkeypatch.setenv("GED_SEARCH__ENGINE", "elasticsearch")
    monkeypatch.setenv("GED_SEARCH__ELASTICSEARCH__URL", es_url)
    monkeypatch.setenv("GED_SEARCH__ELASTICSEARCH__INDEX_PREFIX", f"cli{uuid.uuid4().hex[:8]}")
    assert run_cli("init").exit_code == 0
    letter = tmp_path / "signalement.pdf"
    born_digital_pdf(by_name("signalement_eclairage"), letter)
    assert run_cli("ingest", letter).exit_code == 0
    found = run_cli("search", "lampadaires", "--json").json()
    assert found["total"] == 1 and found["facets"]["doc_type"] == {"voirie": 1}
    assert "<mark>" in found["hits"][0]["snippet"]
    assert run_cli("search", "reindex").exit_code == 0
    assert run_cli("search", "lampadaires", "--json").json()["total"] == 1
