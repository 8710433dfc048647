"""The embedded engine: tantivy in a folder of GED_HOME, no server.

French analysis twice over, because accents and OCR disagree (FIELD-NOTES): ``text`` is
stemmed then accent-folded (so "demandée" meets "demande"); ``plain`` is only folded (so the
OCR's "demandee" meets "demandée"), and carries the fuzzy match, within the edit distance of
Elasticsearch's ``fuzziness: AUTO``: on unstemmed words, because the stemmer cuts OCR
misreadings ("signalernent") differently from the real word ("signalement").

``text`` is stemmed here, not by tantivy: the French stemmer is the dearest step of indexing
(130 of 330 µs of CPU a document, on every one of its 400 words), and a document's words are
mostly words already seen. tantivy indexes the stems, split on spaces; a removed word (stop
word, elision, over-long) leaves a placeholder that tantivy drops, so positions, and phrases,
are those of the analyzer. The text itself is stored beside, for the snippets.

The stems are remembered twice over. Each distinct lowercased word is stemmed once, through the
same analyzer; and each distinct run of characters between spaces ("l'éclairage,") is turned
into its words' stems once, so that a document costs one ``str.split`` and a dictionary lookup
a word: the analyzer's tokenizer, called on a whole text, spent 40 µs a document building a
Python string of each word. Splitting on spaces first changes no word, since the tokenizer
splits on every character that is not a letter or a digit, spaces included.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import tantivy

from .allocator import map_heap_pages, release_freed_memory
from .base import FACET_FIELDS, IndexedDocument, SearchHit, SearchRequest, SearchResult
from .query import Clause, fuzziness, parse
from .snippets import Highlighter, Terms

FOLDED, STEMS = "fr_fold", "stems"
_GAP = "\u00b7"
"""Where the analyzer removed a word: never a term (a middle dot is not a letter), dropped by ``STEMS``."""
_STEMS_KEPT = 50_000
"""Distinct runs between spaces, and words, whose stems are remembered, in each of two memos. At
100,000 bench letters (each with its own sender, date, reference and amount) there are some 200,000
distinct runs and 74,000 words: a bound of 200,000 held 20–45 MB more at the peak of a rebuild than
this one, for no measurable speed (the common runs come back within a few letters of a clearing).
OCR damage makes the vocabulary grow with the archive, the memos must not."""
_MEMO_KEY_CHARS = 40
"""Longer runs are not remembered (a French word with its punctuation is rarely over 25 characters)."""
# Elided articles and conjunctions the tokenizer splits off ("l'éclairage" → "l", "éclairage").
ELISIONS = ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"]
_WRITER_HEAP = 64_000_000
_LOCK_RETRIES = 50
REBUILD_RANGE = 10_000
"""Ids replaced together in a rebuild (as many documents at most); a commit falls between two ranges."""
REBUILD_COMMIT_SECONDS = 20.0
"""A rebuild commits when a range ends at least this long after its last commit: what an interruption
can cost. Each commit seals every writer thread's segment, which tantivy then merges: a commit every
10,000 documents cost 8 % of a rebuild at 100,000. The writer's memory is bounded by its heap, not by
the commits."""
REBUILD_CHECKPOINT = "rebuild.json"
_FEW = 10
"""Fewer hits than this, and the words are searched again with fuzzy expansion (OCR damage)."""


def _analyzer(*, stem: bool) -> tantivy.TextAnalyzer:
    builder = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
               .filter(tantivy.Filter.remove_long(60))
               .filter(tantivy.Filter.lowercase())
               .filter(tantivy.Filter.stopword("french"))
               .filter(tantivy.Filter.custom_stopword(ELISIONS)))
    if stem:  # before folding: folding first turns "demandée" into "demande" and breaks matches
        builder = builder.filter(tantivy.Filter.stemmer("french"))
    return builder.filter(tantivy.Filter.ascii_fold()).build()


class _RunStems(dict[str, str]):
    """The stems of each run between spaces, joined by spaces (``_GAP`` for each word the analyzer
    drops), computed once, from the stem of each lowercased word, itself computed once. Both memos
    are forgotten all at once past ``_STEMS_KEPT`` keys. Runs longer than ``_MEMO_KEY_CHARS`` are
    computed each time, not kept: a URL or OCR debris rarely comes back, and each would hold its
    whole length. A miss is one method call (1.8 µs a run never seen, where two memos of lambdas
    took 2.0): past about 10 % of runs never seen before (names, references, OCR variants), a
    document costs what tantivy's tokenizer over its whole text did, and the memo gains nothing."""

    def __init__(self, words: tantivy.TextAnalyzer, stemmer: tantivy.TextAnalyzer) -> None:
        super().__init__()
        self._split = words.analyze
        self._stem = stemmer.analyze
        self.words: dict[str, str] = {}

    def __missing__(self, run: str) -> str:
        known = self.words
        stems = []
        for word in self._split(run):
            stem = known.get(word)
            if stem is None:
                if len(known) >= _STEMS_KEPT:
                    known.clear()
                found = self._stem(word)
                stem = known[word] = found[0] if found else _GAP
            stems.append(stem)
        value = " ".join(stems)
        if len(run) <= _MEMO_KEY_CHARS:
            if len(self) >= _STEMS_KEPT:
                self.clear()
            self[run] = value
        return value


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("title", stored=True, tokenizer_name="raw", index_option="basic")  # searched in ``plain``
    builder.add_text_field("text", stored=False, tokenizer_name=STEMS)  # stems, see the module's docstring
    builder.add_bytes_field("body", stored=True, indexed=False)  # the text (UTF-8), for the snippets
    # Word and fuzzy matches only (phrases are read on ``text``): no positions, the index stays ≤ 1.1× raw tantivy.
    builder.add_text_field("plain", stored=False, tokenizer_name=FOLDED, index_option="freq")
    for name in FACET_FIELDS:
        builder.add_text_field(name, stored=True, fast=True, tokenizer_name="raw")
    builder.add_date_field("received_at", stored=True, indexed=True, fast=True)
    builder.add_unsigned_field("page_count", stored=True)
    return builder.build()


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


class EmbeddedEngine:
    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.schema = _schema()
        self.emptied = False
        """True when an index of an earlier schema was found and cleared: it must be rebuilt from the database."""
        try:
            self._index = tantivy.Index(self.schema, path=str(path), reuse=True)
        except ValueError as exc:
            if "schema does not match" not in str(exc):
                raise
            for stale in path.iterdir():  # derived data only: the database holds every text
                if stale.is_file():
                    stale.unlink()
            self._index = tantivy.Index(self.schema, path=str(path), reuse=True)
            self.emptied = True
        self._stem = _analyzer(stem=True)
        self._fold = _analyzer(stem=False)
        self._stem_of = lru_cache(maxsize=50_000)(self._stem.analyze)
        self._run_stems = _RunStems(tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                                    .filter(tantivy.Filter.remove_long(60)).filter(tantivy.Filter.lowercase()).build(),
                                    self._stem)
        # Custom analyzers are not stored with the index: register them at every open.
        self._index.register_tokenizer(FOLDED, self._fold)
        self._index.register_tokenizer(STEMS, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
                                       .filter(tantivy.Filter.custom_stopword([_GAP])).build())

    def _stemmed(self, text: str) -> str:
        """The text's stems, as the stemming analyzer makes them, with a placeholder for each word it drops."""
        return " ".join(map(self._run_stems.__getitem__, text.split()))

    # -- writing ---------------------------------------------------------------------------
    def _delete(self, writer: tantivy.IndexWriter, doc_id: int) -> None:
        # By query: delete_documents_by_term builds a signed term, which never matches the u64 id.
        writer.delete_documents_by_query(tantivy.Query.term_query(self.schema, "id", doc_id))

    def _writer(self, *, threads: int = 1) -> tantivy.IndexWriter:
        """The index's single writer; another process holding it is waited for, not failed."""
        map_heap_pages()
        for attempt in range(_LOCK_RETRIES):
            try:
                return self._index.writer(heap_size=_WRITER_HEAP * threads, num_threads=threads)
            except ValueError:
                if attempt == _LOCK_RETRIES - 1:
                    raise
                time.sleep(0.2)
        raise AssertionError("unreachable")

    def _document(self, doc: IndexedDocument) -> tantivy.Document:
        document = tantivy.Document()
        document.add_unsigned("id", doc.id)
        document.add_text("title", doc.title)
        document.add_text("text", self._stemmed(doc.text))
        document.add_bytes("body", doc.text.encode())
        document.add_text("plain", f"{doc.title}\n{doc.text}")
        for name in FACET_FIELDS:
            document.add_text(name, getattr(doc, name) or "")
        document.add_date("received_at", doc.received_at.replace(tzinfo=UTC))
        document.add_unsigned("page_count", doc.page_count)
        return document

    def index(self, documents: Iterable[IndexedDocument]) -> int:
        """On one thread, so that small commits do not scatter the index into many segments."""
        count = 0
        with self._writing() as writer:
            for doc in documents:
                self._delete(writer, doc.id)
                writer.add_document(self._document(doc))
                count += 1
        return count

    @contextlib.contextmanager
    def _writing(self, *, threads: int = 1) -> Iterator[tantivy.IndexWriter]:
        """The writer, committed when the block ends (rolled back if it fails), then searches reloaded."""
        writer = self._writer(threads=threads)
        try:
            yield writer
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self._index.reload()

    @property
    def _checkpoint(self) -> Path:
        return self.path / REBUILD_CHECKPOINT

    def rebuilt_up_to(self) -> int | None:
        try:
            return int(json.loads(self._checkpoint.read_text(encoding="utf-8"))["after"])
        except (FileNotFoundError, ValueError, KeyError):
            return None

    def _replace_range(self, writer: tantivy.IndexWriter, first: int, last: int | None) -> None:
        writer.delete_documents_by_query(tantivy.Query.range_query(
            self.schema, "id", tantivy.FieldType.Unsigned, first, last, True, True))

    def reindex(self, documents: Iterable[IndexedDocument], *, after: int | None = None) -> int:
        """Range of ids by range, in id order, on every core: what the index held for the ids of a range
        is replaced by the range's documents; every ``REBUILD_COMMIT_SECONDS`` or so, at the end of a
        range, that is committed and the checkpoint moves. Searches see the old index, then the new
        one, never an empty one; an interrupted rebuild loses what was not committed, and continues
        from the checkpoint. Ids past the last document are dropped at the end.

        The documents stream through: a range is a span of ids decided before its documents arrive,
        so none is held in memory to learn where the range ends (10,000 texts held, and their UTF-8
        copies, made the heap grow by 80 MB at 100,000 documents)."""
        count = 0
        first = 0 if after is None else after + 1
        last = (after or 0) + REBUILD_RANGE  # ids start at 1: ranges 1–10,000, 10,001–20,000…
        committed = time.monotonic()
        with self._writing(threads=os.cpu_count() or 1) as writer:
            self._replace_range(writer, first, last)
            for doc in documents:
                if doc.id > last:  # the range is complete; the next one starts after it, over any gap in the ids
                    if time.monotonic() - committed >= REBUILD_COMMIT_SECONDS:
                        self._commit_range(writer, last)
                        committed = time.monotonic()
                    first, last = last + 1, doc.id + REBUILD_RANGE - 1
                    self._replace_range(writer, first, last)
                writer.add_document(self._document(doc))
                count += 1
            self._commit_range(writer, last)
            self._replace_range(writer, last + 1, None)
        self._checkpoint.unlink(missing_ok=True)
        self.emptied = False
        release_freed_memory()  # the merges' buffers too, for a long-running process (a worker, the web server)
        return count

    def _commit_range(self, writer: tantivy.IndexWriter, last: int) -> None:
        writer.commit()
        _write_atomically(self._checkpoint, json.dumps({"after": last}))
        release_freed_memory()

    def delete(self, ids: Iterable[int]) -> None:
        with self._writing() as writer:
            for doc_id in ids:
                self._delete(writer, doc_id)

    # -- reading ---------------------------------------------------------------------------
    def _known(self, searcher: tantivy.Searcher, stems: list[str], folds: list[str]) -> bool:
        """Whether the index holds the word as typed (stemmed or folded): then no fuzzy expansion is needed."""
        return any(searcher.doc_freq("text", stem) for stem in stems) or \
            any(searcher.doc_freq("plain", fold) for fold in folds)

    def _term(self, word: str, searcher: tantivy.Searcher, *, fuzzy: bool) -> tantivy.Query | None:
        if word.endswith("*") and len(word) > 1:
            return self._prefix(word[:-1])
        stems, folds = self._stem.analyze(word), self._fold.analyze(word)
        if not stems and not folds:
            return None  # a stop word
        alternatives: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for stem in stems:  # the title (a file name) is matched through ``plain``, which holds it too
            alternatives.append((tantivy.Occur.Should, tantivy.Query.boost_query(
                tantivy.Query.term_query(self.schema, "text", stem), 2.0)))
        expand = fuzzy or not self._known(searcher, stems, folds)
        for fold in folds:
            alternatives.append((tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "plain", fold)))
            if expand and fuzziness(fold):
                alternatives.append((tantivy.Occur.Should, tantivy.Query.boost_query(
                    tantivy.Query.fuzzy_term_query(self.schema, "plain", fold, distance=fuzziness(fold)), 0.3)))
        return tantivy.Query.boolean_query(alternatives)

    def _prefix(self, typed: str) -> tantivy.Query | None:
        folds = self._fold.analyze(typed)
        if not folds:
            return None
        return tantivy.Query.regex_query(self.schema, "plain", re.escape(folds[0]) + ".*")

    def _phrase(self, words: str) -> tantivy.Query | None:
        stems = self._stemmed(words)
        if not stems.replace(_GAP, "").strip():
            return None
        return self._index.parse_query(f'"{stems}"', ["text"])

    def _clauses(self, clauses: list[Clause], searcher: tantivy.Searcher, *,
                 fuzzy: bool) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        built: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for clause in clauses:
            query = self._phrase(clause.text) if clause.phrase else self._term(clause.text, searcher, fuzzy=fuzzy)
            if query is not None:
                built.append((tantivy.Occur.MustNot if clause.excluded else tantivy.Occur.Must, query))
        return built

    def _filters(self, request: SearchRequest) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        filters: list[tuple[tantivy.Occur, tantivy.Query]] = []
        for field, values in (("doc_type", request.doc_types), ("service", request.services),
                              ("state", request.states)):
            if values:
                filters.append((tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, field, sorted(values))))
        if request.allowed_services is not None:
            # An empty set of services sees nothing: the query below can match no document.
            filters.append((tantivy.Occur.Must, tantivy.Query.term_set_query(
                self.schema, "service", sorted(request.allowed_services) or ["\x00"])))
        if request.received_from or request.received_to:
            filters.append((tantivy.Occur.Must, tantivy.Query.range_query(
                self.schema, "received_at", tantivy.FieldType.Date,
                request.received_from.replace(tzinfo=UTC) if request.received_from else None,
                request.received_to.replace(tzinfo=UTC) if request.received_to else None)))
        return filters

    def _query(self, request: SearchRequest, searcher: tantivy.Searcher, *, fuzzy: bool) -> tantivy.Query:
        parts = self._clauses(parse(request.text), searcher, fuzzy=fuzzy) + self._filters(request)
        if not any(occur == tantivy.Occur.Must for occur, _ in parts):
            parts.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        return tantivy.Query.boolean_query(parts)

    def _terms(self, request: SearchRequest, searcher: tantivy.Searcher, *, fuzzy: bool) -> Terms:
        """The query's folded words and prefixes for the snippets, and which words were matched fuzzily."""
        wanted = [c.text for c in parse(request.text) if not c.excluded]
        words = [t for w in wanted if not w.endswith("*") for t in self._fold.analyze(w)]
        prefixes = [t for w in wanted if w.endswith("*") for t in self._fold.analyze(w[:-1])[:1]]
        expanded = frozenset(words) if fuzzy else frozenset(
            t for w in wanted if not w.endswith("*")
            if not self._known(searcher, self._stem.analyze(w), self._fold.analyze(w)) for t in self._fold.analyze(w))
        return Terms(words, prefixes, expanded)

    def search(self, request: SearchRequest) -> SearchResult:
        """Exact and stemmed terms first (fuzzy only for words the index does not hold); a second,
        fuzzy pass when that finds fewer than a page of hits.

        The ranked page is searched with its count: tantivy scores every match of a query of
        several words anyway (block-max WAND prunes unions, not intersections of them), and
        counting beside it costs less than counting in the facets' aggregation (0.2 ms a query at
        100,000 documents). The facets are aggregated once, for the query that was kept.
        """
        searcher = self._index.searcher()
        by_date = request.sort == "date"

        def ranked(query: tantivy.Query) -> tuple[tantivy.SearchResult, int]:
            found = searcher.search(query, limit=request.limit, offset=request.offset, count=True,
                                    order_by_field="received_at" if by_date else None)
            return found, found.count or 0  # type: ignore[attr-defined]  # missing from tantivy's stub

        query = self._query(request, searcher, fuzzy=False)
        result, total = ranked(query)
        second_pass = False
        if total < _FEW and request.text.strip():
            fuzzy = self._query(request, searcher, fuzzy=True)
            more, more_total = ranked(fuzzy)
            if more_total > total:
                query, result, total, second_pass = fuzzy, more, more_total, True
        facets = self._facets(searcher, query) if request.facets else {}
        terms = self._terms(request, searcher, fuzzy=second_pass)
        stems = [s for c in parse(request.text) if not c.excluded and not c.text.endswith("*")
                 for s in self._stem.analyze(c.text)]
        highlighter = Highlighter(stems, terms, self._stem_of)
        hits = [self._hit(searcher.doc(address), 0.0 if by_date else float(score), highlighter)
                for score, address in result.hits]
        return SearchResult(total=total, hits=hits, facets=facets)

    def _hit(self, doc: tantivy.Document, score: float, highlighter: Highlighter) -> SearchHit:
        def value(name: str) -> str | None:
            found = doc.get_first(name)
            return found or None

        body = doc.get_first("body")  # the text's UTF-8, stored beside the stems
        doc_id, received = doc.get_first("id"), doc.get_first("received_at")
        assert doc_id is not None and isinstance(received, datetime)  # both written with every document
        return SearchHit(
            id=int(doc_id), score=round(score, 4), title=value("title") or "",
            snippet=highlighter.snippet(body.decode() if isinstance(body, bytes) else ""),
            doc_type=value("doc_type"), service=value("service"), state=value("state") or "",
            received_at=received.replace(tzinfo=None),
        )

    def _facets(self, searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, dict[str, int]]:
        """The facets' counts, from one pass over the fast fields of the matching documents."""
        raw = searcher.aggregate(query, {name: {"terms": {"field": name, "size": 50}} for name in FACET_FIELDS})
        return {name: {b["key"]: int(b["doc_count"]) for b in raw.get(name, {}).get("buckets", []) if b["key"]}
                for name in FACET_FIELDS}
