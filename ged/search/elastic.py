"""The Elasticsearch engine (official client, clusters 8.x and 9.x), for communes that outgrow one machine.

The index lives behind an alias (``<prefix>-documents``) so that ``reindex`` builds a new index
beside the old one and switches the alias in one atomic call: searches never see a half-built
index. The French analysis chain follows FIELD-NOTES: elision of the articles, lower case, French
stop words, ``light_french`` stemming, then ASCII folding (after the stemmer, which needs the
accents); a second sub-field without stemming carries the fuzzy matching that survives OCR errors.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .base import FACET_FIELDS, IndexedDocument, SearchHit, SearchRequest, SearchResult
from .query import Clause, parse
from .snippets import fold

ELISIONS = ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"]
ANALYSIS = {
    "filter": {
        "ged_elision": {"type": "elision", "articles_case": True, "articles": ELISIONS},
        "ged_stop": {"type": "stop", "stopwords": "_french_"},
        "ged_stemmer": {"type": "stemmer", "language": "light_french"},
    },
    "analyzer": {
        "ged_french": {"type": "custom", "tokenizer": "standard",
                       "filter": ["ged_elision", "lowercase", "ged_stop", "ged_stemmer", "asciifolding"]},
        "ged_plain": {"type": "custom", "tokenizer": "standard",
                      "filter": ["ged_elision", "lowercase", "asciifolding"]},
    },
}
MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        "title": {"type": "text", "analyzer": "ged_plain", "fields": {"raw": {"type": "keyword"}}},
        "text": {"type": "text", "analyzer": "ged_french", "fields": {"plain": {"type": "text",
                                                                            "analyzer": "ged_plain"}}},
        "doc_type": {"type": "keyword"},
        "service": {"type": "keyword"},
        "state": {"type": "keyword"},
        "media_type": {"type": "keyword"},
        "received_at": {"type": "date"},
        "page_count": {"type": "integer"},
    },
}
_SNIPPET = 220
_ELIDED_MARK = re.compile(r"<mark>((?:" + "|".join(ELISIONS) + r")(?:&#x27;|&#39;|'|’))", re.IGNORECASE)


@dataclass(frozen=True, kw_only=True)
class ElasticConnection:
    url: str
    username: str | None = None
    password: str | None = None
    api_key: str | None = None
    ca_file: str | None = None
    index_prefix: str = "ged"


class ElasticEngine:
    """The search interface over an Elasticsearch cluster."""

    def __init__(self, connection: ElasticConnection, *, clock: Any = None) -> None:
        from elasticsearch import Elasticsearch

        auth: dict[str, Any] = {} if connection.ca_file is None else {"ca_certs": connection.ca_file}
        if connection.api_key:
            auth["api_key"] = connection.api_key
        elif connection.username:
            auth["basic_auth"] = (connection.username, connection.password or "")
        self.client = Elasticsearch(connection.url, retry_on_timeout=True,
                                    max_retries=3, request_timeout=60, **auth)
        self.alias = f"{connection.index_prefix}-documents"
        self._clock = clock or (lambda: datetime.now(UTC))
        self._ready = False
        self.emptied = False  # the index template is applied to every new index; reindex moves the alias

    # -- index management ------------------------------------------------------------------------
    def _ensure(self) -> None:
        if self._ready:
            return
        self.client.indices.put_index_template(name=self.alias, index_patterns=[f"{self.alias}-*"],
                                               template={"settings": {"analysis": ANALYSIS},
                                                         "mappings": MAPPINGS})
        if not self.client.indices.exists_alias(name=self.alias):
            first = self._new_index()
            self.client.indices.update_aliases(actions=[{"add": {"index": first, "alias": self.alias}}])
        self._ready = True

    def _new_index(self) -> str:
        name = f"{self.alias}-{self._clock():%Y%m%d%H%M%S%f}"
        self.client.indices.create(index=name)
        return name

    def _current(self) -> list[str]:
        return sorted(self.client.indices.get_alias(name=self.alias))

    # -- writing ---------------------------------------------------------------------------------
    @staticmethod
    def _source(document: IndexedDocument) -> dict[str, Any]:
        return {"id": document.id, "title": document.title, "text": document.text, "doc_type": document.doc_type,
                "service": document.service, "state": document.state, "media_type": document.media_type,
                "received_at": document.received_at.replace(tzinfo=UTC).isoformat(),
                "page_count": document.page_count}

    def _bulk(self, index: str, documents: Iterable[IndexedDocument]) -> int:
        from elasticsearch import helpers

        def actions() -> Iterator[dict[str, Any]]:
            for document in documents:
                yield {"_op_type": "index", "_index": index, "_id": str(document.id), "_source": self._source(document)}

        count, _ = helpers.bulk(self.client, actions(), chunk_size=500, max_retries=5, initial_backoff=1,
                                raise_on_error=True)
        self.client.indices.refresh(index=index)
        return int(count)

    def index(self, documents: Iterable[IndexedDocument]) -> int:
        self._ensure()
        return self._bulk(self.alias, documents)

    def delete(self, ids: Iterable[int]) -> None:
        self._ensure()
        wanted = [int(i) for i in ids]
        if wanted:
            self.client.delete_by_query(index=self.alias, query={"terms": {"id": wanted}}, refresh=True,
                                        conflicts="proceed")

    def rebuilt_up_to(self) -> int | None:
        """Never: a rebuild fills a new index that is only used once whole, so an interrupted one starts over."""
        return None

    def reindex(self, documents: Iterable[IndexedDocument], *, after: int | None = None) -> int:
        """A new index is filled, then the alias moves to it atomically; the old one is dropped."""
        self._ensure()
        old = self._current()
        new = self._new_index()
        count = self._bulk(new, documents)
        actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": new, "alias": self.alias}})
        self.client.indices.update_aliases(actions=actions)
        for name in old:
            self.client.indices.delete(index=name, ignore_unavailable=True)
        return count

    # -- reading ---------------------------------------------------------------------------------
    @staticmethod
    def _clause(clause: Clause) -> dict[str, Any]:
        if clause.phrase:
            return {"match_phrase": {"text": {"query": clause.text}}}
        if clause.text.endswith("*") and len(clause.text) > 1:  # typed as a prefix: lampad*
            return {"prefix": {"text.plain": {"value": fold(clause.text[:-1])}}}
        return {"bool": {"should": [
            {"match": {"text": {"query": clause.text, "zero_terms_query": "all"}}},
            {"match": {"text.plain": {"query": clause.text, "fuzziness": "AUTO", "prefix_length": 1,
                                      "zero_terms_query": "all"}}},
        ], "minimum_should_match": 1}}

    @staticmethod
    def _filters(request: SearchRequest) -> list[dict[str, Any]]:
        filters: list[dict[str, Any]] = []
        for field, values in (("doc_type", request.doc_types), ("service", request.services),
                              ("state", request.states)):
            if values:
                filters.append({"terms": {field: sorted(values)}})
        if request.allowed_services is not None:
            filters.append({"terms": {"service": sorted(request.allowed_services)}} if request.allowed_services
                           else {"match_none": {}})
        if request.received_from or request.received_to:
            bounds: dict[str, str] = {}
            if request.received_from:
                bounds["gte"] = request.received_from.replace(tzinfo=UTC).isoformat()
            if request.received_to:
                bounds["lte"] = request.received_to.replace(tzinfo=UTC).isoformat()
            filters.append({"range": {"received_at": bounds}})
        return filters

    def search(self, request: SearchRequest) -> SearchResult:
        self._ensure()
        clauses = parse(request.text)
        must = [self._clause(c) for c in clauses if not c.excluded]
        must_not = [self._clause(c) for c in clauses if c.excluded]
        query = {"bool": {"must": must or [{"match_all": {}}], "must_not": must_not,
                          "filter": self._filters(request)}}
        by_date = request.sort == "date"
        response = self.client.search(
            index=self.alias, query=query, from_=request.offset, size=request.limit, track_total_hits=True,
            sort=[{"received_at": "desc"}, {"id": "desc"}] if by_date else None,
            aggs={name: {"terms": {"field": name, "size": 50}} for name in FACET_FIELDS} if request.facets else None,
            highlight={"encoder": "html", "pre_tags": ["<mark>"], "post_tags": ["</mark>"],
                       "fields": {"text": {"fragment_size": _SNIPPET, "number_of_fragments": 1},
                                  "text.plain": {"fragment_size": _SNIPPET, "number_of_fragments": 1}}})
        hits = [self._hit(raw, by_date) for raw in response["hits"]["hits"]]
        counted = response.get("aggregations", {})
        facets = {name: {b["key"]: int(b["doc_count"]) for b in counted.get(name, {}).get("buckets", []) if b["key"]}
                  for name in FACET_FIELDS} if request.facets else {}
        return SearchResult(total=int(response["hits"]["total"]["value"]), hits=hits, facets=facets)

    @staticmethod
    def _hit(raw: dict[str, Any], by_date: bool) -> SearchHit:
        source = raw["_source"]
        highlights = raw.get("highlight", {})
        # The stemmed field marks "lampadaires" for "lampadaire", the folded one OCR-damaged words: the richer wins.
        fragments = max((highlights.get("text") or [], highlights.get("text.plain") or []),
                        key=lambda found: found[0].count("<mark>") if found else -1)
        if fragments:
            # The token "l'éclairage" is marked whole; the embedded engine marks the word: agree on that.
            snippet = _ELIDED_MARK.sub(r"\1<mark>", " ".join(fragments[0].split()))
        else:
            text = source.get("text") or ""
            snippet = html.escape(" ".join(text[:_SNIPPET].split())) + ("…" if len(text) > _SNIPPET else "")
        received = datetime.fromisoformat(str(source["received_at"]).replace("Z", "+00:00"))
        return SearchHit(id=int(source["id"]), score=0.0 if by_date else round(float(raw.get("_score") or 0), 4),
                         title=source.get("title") or "", snippet=snippet, doc_type=source.get("doc_type"),
                         service=source.get("service"), state=source.get("state") or "",
                         received_at=received.astimezone(UTC).replace(tzinfo=None))
