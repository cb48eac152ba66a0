"""The search engine: an inverted index of the public remarks (Tantivy, embedded in each app
server) that finds the matches of a search with its filters and counts every facet of them
exactly, in milliseconds where the database scans for seconds (docs/benchmarks.md).

What it holds is derived from the database, like the cached counts, and kept by the same
tokens: each month of remark dates has a token that every change to its public remarks moves
in the same transaction (models.MonthVersion). The engine notes the tokens its index was built
from; before answering, it compares them with the database's and indexes the months whose token
moved again (all of them when EVERY_MONTH moved). So it never answers from content older than
the tokens it read, needs no signal from any write path, holds published remarks only (it reads
`published()`), and each app server keeps its own index from the shared database: nothing to
coordinate between servers, and readers write nothing to the database. When the months moved
hold more than a request should index (a publication of a month's worth), a thread indexes
them while requests answer from the index for every other month and count the moved ones in
the database (View.stale): exact still, and as fast as before but for a month or two.

Each remark is one document: its text as the database's index sees it (stems, and stems with
words in capitals kept as written, for `WHO`) and as the literal check reads it (words and
Chinese characters, lowercased or as written), each per field so a scope is a choice of
fields; its facet values as fast columns, which the terms aggregations count. Its briefing's
own values (the host, the kind) are columns too, and a key naming the briefing with every value
/briefings/ counts and sorts by: a terms aggregation over the key lists the briefings of the
matches, each once (`briefings`).

The query language is statements/text/query.py's, with the same meaning as the database
backends'; the literal check of a phrase or a Chinese term is a phrase of its words (Chinese:
its characters). It is asked of each token paired with the next (`pairs`): "of the" is one
term, not 500,000 remarks' positions of "of" and of "the" read and compared.
"""

import fcntl
import functools
import json
import logging
import os
import shutil
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from operator import itemgetter

from django.conf import settings
from django.db import DatabaseError, connections

from statements import spawned
from statements.models import NO_MONTH, Language, Remark, month_filter, month_tokens, moved_months
from statements.text.analysis import CJK_RE, analyze_cased, literal_runs, literal_tokens, stem

from . import search_backend

logger = logging.getLogger(__name__)

# A change here makes every index on disk unusable: it is rebuilt.
SCHEMA_VERSION = 5
SCOPE_FIELDS = {"answers": ["a"], "questions": ["q"], "all": ["a", "q"]}
# Integer columns counted and filtered on; named as the remark's fields. 0 stands for none.
NUMBERS = ["id", "year_month", "day", "speaker", "ministry", "briefing_spokesperson", "asked_by"]
MULTI_NUMBERS = ["topics", "entities"]
WORDS = ["kind", "language", "versions", "briefing_kind", "briefing_key"]
# The briefing's values in `briefing_key`, named as the Briefing's fields, each in a fixed width
# (numbers zero-padded, choices padded with spaces): the date (day_number) and the id first, so
# that the keys' order is the list's (newest first), and a value is a slice of the key.
BRIEFING_KEY = {"date": 8, "id": 12, "spokesperson": 12, "ministry": 12, "kind": 20, "language": 5}
BRIEFING_TEXT = {"kind", "language"}
# Every bucket of a terms aggregation: counts must be exact, never a top-N.
ALL_BUCKETS = 10_000_000
BATCH = 2000
# A catch-up of more remarks than this analyses them in worker processes (manage.py sync_search_engine).
PARALLEL_ABOVE = 20_000
# How much less a catch-up in the background weighs than requests (nice(2)): its analysing
# processes get what the app servers' leave.
BACKGROUND_NICENESS = 10


# How long a process leaves an index that failed alone (damaged files, a full or read-only disk)
# before trying it again, counting in the database meanwhile.
FAULT_BACKOFF_SECONDS = 30.0


def _index_fault(error):
    """Whether `error` is the index's own failure: Tantivy's errors (ValueError, RuntimeError),
    the file system's (OSError: full, read-only), a Rust panic on damaged files (pyo3's
    PanicException, a BaseException). Not the database's, nor an interrupt."""
    return not isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit, IndexBusy, InexactAnswer, DatabaseError))


def _guarded(method):
    """An answer from the index, or None when the index fails: the caller counts or ranks in
    the database, and the index is given up until rebuilt (SearchEngine._broken)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except BaseException as error:
            if not _index_fault(error):
                raise
            # A panic reading the index is damage: rebuilt. Anything else (a query the index
            # refused) only makes this process count in the database for a while.
            self._broken(error, rebuild=_is_panic(error))
            return None

    return wrapper


def _is_panic(error):
    return type(error).__name__ == "PanicException"


class InexactAnswer(Exception):
    """An aggregation that did not count every bucket: a defect to see, not a damaged index."""


class IndexBusy(Exception):
    """Another process or thread is writing the index."""


@dataclass(frozen=True)
class View:
    """A searcher, and the months whose remarks it does not hold as the database now does
    (changed since the index was written; being indexed again meanwhile): left out of what the
    engine answers through this view, for the caller to count in the database."""

    searcher: object
    stale: frozenset = frozenset()


@dataclass(frozen=True)
class Terms:
    """Any of `values` in the column `field`."""

    field: str
    values: tuple


@dataclass(frozen=True)
class Range:
    """`field` between `low` and `high`, both included; None leaves a side open."""

    field: str
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class AnyOf:
    constraints: tuple


@dataclass(frozen=True)
class Search:
    """A parsed query (text/query.py) over a scope."""

    parsed: object
    scope: str = "all"


def day_number(date):
    return date.year * 10000 + date.month * 100 + date.day if date else 0


def remark_versions(language, ministry_language, translation_public, translation_language):
    """Under which `version=` values (filters.RemarkFilter) this remark is listed: the one
    rule of models.RemarkQuerySet.one_version_per_exchange, per remark."""
    single = not translation_public
    keys = []
    if single or language == ministry_language or not ministry_language:
        keys.append("original")
    for code, _ in Language.choices:
        if single or language == code or translation_language != code:
            keys.append(code)
    return keys


class SearchEngine:
    """One index directory, shared by the processes of one app server."""

    def __init__(self, path):
        import tantivy

        self.tantivy, self.path = tantivy, str(path)
        # The index in a directory per build (its generation), a new one built whole beside it
        # when needed; the lock and the state (the tokens and generation the index holds) by them.
        self.schema = self._schema()
        self.index = None
        self.generation = None  # which build of the index this process has open
        self.tokens = None  # the tokens this process's reader is known to reflect
        self.too_far = None  # tokens found too far ahead to catch up within a request
        self.background = None  # the thread catching up meanwhile
        self.lock = threading.Lock()  # over the fields above, held for moments only
        self.catching = threading.Lock()  # the one thread of this process catching up in a request
        self.fault = ""  # why the index could not be used, for /healthz; "" when it can
        self.fault_until = 0.0  # when to try it again

    def _schema(self):
        builder = self.tantivy.SchemaBuilder()
        for prefix in ("a", "q"):
            for kind in ("stem", "cased", "exact", "exact_cased", "pairs"):
                # Tokens are ours (statements/text/analysis.py), joined by spaces.
                builder.add_text_field(f"{prefix}_{kind}", tokenizer_name="whitespace", index_option="position")
        for name in NUMBERS + MULTI_NUMBERS:
            builder.add_integer_field(name, stored=name == "id", indexed=True, fast=True)
        for name in WORDS:
            builder.add_text_field(name, tokenizer_name="raw", fast=True, index_option="basic")
        return builder.build()

    # Keeping in step with the database -------------------------------------------------------

    def view(self):
        """_view(), or None while the index fails (damaged, full or read-only): the site then
        counts in the database and the index is rebuilt whole."""
        if time.monotonic() < self.fault_until:
            return None
        try:
            view = self._view()
        except BaseException as error:
            if not _index_fault(error):
                raise
            # An index that cannot be opened is rebuilt; a full or read-only disk (OSError)
            # is waited out, the index as it is kept.
            self._broken(error, rebuild=not isinstance(error, OSError))
            return None
        if view is not None and self.fault:
            self.fault = ""
            logger.warning("search engine: the index at %s answers again", self.path)
        return view

    def _broken(self, error, rebuild):
        """Give the index up for FAULT_BACKOFF_SECONDS: this process's reader closed and, to
        `rebuild`, its state forgotten (the next catch-up then builds it whole)."""
        logger.error(
            "search engine: the index at %s cannot be used (%s: %s); counting in the database until it is rebuilt",
            self.path, type(error).__name__, str(error)[:300],
        )
        with self.lock:
            self.index = self.tokens = self.generation = self.too_far = None
        self.fault = f"{type(error).__name__}: {str(error)[:200]}"
        self.fault_until = time.monotonic() + FAULT_BACKOFF_SECONDS
        if rebuild:
            try:
                self._write_state(None, None)
            except OSError:
                pass  # a read-only directory: nothing can be rebuilt there either

    def _view(self):
        """What to answer with now: a View of the index after indexing whatever the database
        changed since, when that is within what a request should do (SEARCH_ENGINE_SYNC_LIMIT
        remarks); else a View of what the index already holds, its `stale` months (those
        changed since) left for the caller to count in the database, while a thread of this
        process (or another process, or `manage.py sync_search_engine` on deploy) catches up.
        None when the index holds nothing usable (being built from scratch)."""
        tokens = month_tokens()
        with self.lock:
            if self.index is not None and self.tokens == tokens:
                return View(self.index.searcher())
            catching_up = self.background is not None and self.background.is_alive()
            try_now = not catching_up and (tokens != self.too_far or self._built_elsewhere(tokens))
        # One thread of this process catches up within its request; the others meanwhile answer
        # with what the index holds, as they do while another process writes it.
        if try_now and self.catching.acquire(blocking=False):
            try:
                if self._catch_up(tokens, limit=settings.SEARCH_ENGINE_SYNC_LIMIT, block=False) is not None:
                    with self.lock:
                        return View(self.index.searcher())
                self.too_far = tokens  # not asked again until the tokens move
                if settings.SEARCH_ENGINE_CATCH_UP_IN_BACKGROUND:
                    self.background = threading.Thread(target=self._sync_in_background, daemon=True)
                    self.background.start()
            except IndexBusy:
                pass
            finally:
                self.catching.release()
        with self.lock:
            return self._held(tokens)

    def _held(self, tokens):
        """A View of the index as last written whole (its state file), stale in the months
        whose tokens moved since; None while it is rebuilt from scratch, or when every month
        moved."""
        kept = self._read_state()
        if kept is None:
            return None
        if self.index is None or self.tokens != kept["tokens"]:
            self._open(kept["generation"])
            self.tokens = kept["tokens"]
        stale = moved_months(kept["tokens"], tokens)
        return None if stale is None else View(self.index.searcher(), frozenset(stale))

    def _sync_in_background(self):
        try:
            self._catch_up(month_tokens(), limit=None, aside=True)
        except Exception:
            logger.exception("search engine: catching up in the background failed")
        finally:
            connections.close_all()  # this thread's own connections

    def sync(self, progress=None):
        """Bring the index up to the database's tokens, however much that is; returns how many
        remarks were indexed. Requests meanwhile answer with what the index holds (view)."""
        return self._catch_up(month_tokens(), limit=None, progress=progress)

    def _catch_up(self, tokens, limit, progress=None, block=True, aside=False):
        """How many remarks were indexed to reach `tokens`; None if more than `limit`. Not
        `block`ing, raises IndexBusy while another process or thread writes the index.
        `aside`: beside the requests of this process, whose threads the analysis must not
        slow (it runs in processes of low priority)."""
        os.makedirs(self.path, exist_ok=True)
        with open(os.path.join(self.path, ".lock"), "w") as lock_file:
            # One writer per server (a lock of the open file: threads exclude each other too);
            # the others wait, then find the work done.
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX if block else fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexBusy from None
            kept = self._read_state()
            if kept is not None and kept["tokens"] == tokens:
                with self.lock:
                    self._open(kept["generation"])
                    self.tokens = tokens
                return 0
            months = moved_months(kept and kept["tokens"], tokens)
            if months is not None:
                months |= self._months_not_held(kept["generation"], tokens)
            remarks = Remark.objects.published()
            if months is not None:
                remarks = remarks.filter(month_filter(months))
            if limit is not None and remarks.count() > limit:
                logger.warning("search engine: %s needs indexing again; counting in the database", self.path)
                return None
            if months is None:
                # Built whole aside, in a directory of its own: until it is whole the state
                # names the one before, which readers go on using for what it still holds.
                generation = uuid.uuid4().hex
                self._clear_away(keep=kept and kept["generation"])
                os.makedirs(self._directory(generation))
            else:
                generation = kept["generation"]
            # Written through an index object of its own: readers keep this process's until
            # the state says what the index then holds.
            index = self.tantivy.Index(self.schema, path=self._directory(generation), reuse=True)
            written = self._write(index, remarks, months, progress, aside)
            self._write_state(tokens, generation)
            with self.lock:
                self._open(generation)
                self.tokens = tokens
            if months is None:
                self._clear_away(keep=generation)  # what still maps the old files keeps them
            return written

    def _directory(self, generation):
        return os.path.join(self.path, f"index-{generation}")

    def _clear_away(self, keep):
        """Every build's directory but `keep`'s: the ones replaced, or left half-written."""
        for name in os.listdir(self.path):
            if name.startswith("index") and name != os.path.basename(self._directory(keep)):
                shutil.rmtree(os.path.join(self.path, name), ignore_errors=True)

    def _months_not_held(self, generation, tokens):
        """The months the index holds and the database does not: every month holding remarks
        has a token (migration 0023; writers move theirs), so only months without one are
        looked for, in the database, and none in the usual case. Such months come from an
        index built from an older backup of this database, or by hand."""
        index = self.tantivy.Index(self.schema, path=self._directory(generation), reuse=True)
        held = self._aggregate(index.searcher(), self.query([]), ["year_month"])["year_month"]
        unknown = {month for month in held if month not in tokens}
        if not unknown:
            return set()
        found = Remark.objects.published().filter(month_filter(unknown)).public_months()
        return unknown - {month or NO_MONTH for month in found}

    def _built_elsewhere(self, tokens):
        """Whether another process (sync_search_engine) has brought the index to `tokens`."""
        kept = self._read_state()
        return kept is not None and kept["tokens"] == tokens

    def _open(self, generation):
        """This process's view of the index, reopened when another process rebuilt it."""
        if self.index is None or self.generation != generation:
            self.index = self.tantivy.Index(self.schema, path=self._directory(generation), reuse=True)
            self.generation = generation
        else:
            self.index.reload()

    def _state_path(self):
        return os.path.join(self.path, "tokens.json")

    def _read_state(self):
        try:
            with open(self._state_path()) as f:
                state = json.load(f)
        except (OSError, ValueError):
            return None
        if state.get("schema") != SCHEMA_VERSION or not os.path.isdir(self._directory(state["generation"])):
            return None  # (an index of the layout before builds had directories of their own)
        state["tokens"] = {int(month): token for month, token in state["tokens"].items()}  # JSON keys are text
        return state

    def _write_state(self, tokens, generation):
        if tokens is None:
            try:
                os.remove(self._state_path())
            except FileNotFoundError:
                pass
            return
        temporary = self._state_path() + ".new"
        with open(temporary, "w") as f:
            json.dump({"schema": SCHEMA_VERSION, "generation": generation, "tokens": tokens}, f)
        os.replace(temporary, self._state_path())

    def _write(self, index, remarks, months, progress, aside=False):
        # Analysing text is most of the work: a large catch-up spreads it over every core; one
        # beside requests runs it in processes the requests' own come before.
        pool = None
        if aside or (remarks.count() > PARALLEL_ABOVE and (os.cpu_count() or 1) > 1):
            pool = ProcessPoolExecutor(
                os.cpu_count(), mp_context=get_context("spawn"), initializer=spawned.start,
                initargs=(BACKGROUND_NICENESS if aside else 0,),
            )
        writer = index.writer(heap_size=settings.SEARCH_ENGINE_WRITER_HEAP, num_threads=1)
        try:
            for month in months or ():
                writer.delete_documents_by_term("year_month", month)
            written, last = 0, 0
            while True:
                batch = list(_rows(remarks.filter(pk__gt=last).order_by("pk")[:BATCH]))
                if not batch:
                    break
                texts = pool.map(document_texts, batch, chunksize=100) if pool else map(document_texts, batch)
                for row, text in zip(batch, texts):
                    writer.add_document(self._document(row, text))
                written, last = written + len(batch), batch[-1]["id"]
                if progress:
                    progress(written)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        finally:
            if pool:
                pool.shutdown()
        return written

    def _document(self, row, texts):
        document = self.tantivy.Document()
        for name, text in texts.items():
            document.add_text(name, text)
        for name in NUMBERS:
            document.add_integer(name, row[name] or 0)
        for name in MULTI_NUMBERS:
            for value in row[name]:
                document.add_integer(name, value)
        for name in WORDS:
            for value in row[name] if name == "versions" else [row[name]]:
                document.add_text(name, value)
        return document

    # Answering ------------------------------------------------------------------------------

    @_guarded
    def count(self, constraints, fields, view=None):
        """How many public remarks meet every constraint, and for each field of `fields`
        {value: how many of them have it}. `view`: one view() gave for this request, whose
        stale months are left out (the caller counts them); without one, None unless the
        index answers for every month."""
        view = view or self._whole_view()
        if view is None:
            return None
        # Every document has one month (0: undated), so the months add up to the total: one
        # pass over the matches instead of a count and then the aggregations.
        fields_and_months = list(dict.fromkeys([*fields, "year_month"]))
        counted = self._aggregate(view.searcher, self.query(constraints), fields_and_months)
        if view.stale:
            # What the index holds of the stale months is taken off again: a second, small
            # aggregation, where leaving them out of the first would make it a boolean query
            # over every document (twice as slow for the commonest states).
            stale = Terms("year_month", tuple(sorted(view.stale)))
            held = self._aggregate(view.searcher, self.query([*constraints, stale]), fields_and_months)
            for field, values in held.items():
                for value, n in values.items():
                    counted[field][value] -= n
                    if not counted[field][value]:
                        del counted[field][value]
        return sum(counted["year_month"].values()), {field: counted[field] for field in fields}

    def _aggregate(self, searcher, query, fields):
        aggregation = {field: {"terms": {"field": field, "size": ALL_BUCKETS}} for field in fields}
        result = searcher.aggregate(query, aggregation)
        counted = {}
        for field in fields:
            answer = result[field]
            if answer.get("sum_other_doc_count") or answer.get("doc_count_error_upper_bound"):
                raise InexactAnswer(f"inexact counts of {field}")
            counted[field] = {bucket["key"]: bucket["doc_count"] for bucket in answer["buckets"]}
        return counted

    @_guarded
    def briefings(self, constraints, view=None):
        """The briefings of the public remarks meeting every constraint, each once, newest
        first (a BriefingList); stale months and None as for count()."""
        view = view or self._whole_view()
        if view is None:
            return None
        aggregation = {"terms": {"field": "briefing_key", "size": ALL_BUCKETS, "order": {"_key": "desc"}}}
        answer = view.searcher.aggregate(self.query(constraints), {"key": aggregation})["key"]
        if answer.get("sum_other_doc_count") or answer.get("doc_count_error_upper_bound"):
            raise InexactAnswer("inexact list of briefings")
        keys = [bucket["key"] for bucket in answer["buckets"]]
        if view.stale:  # a key starts with its briefing's day: YYYYMMDD
            keys = [key for key in keys if int(key[:8]) // 100 not in view.stale]
        return BriefingList(keys)

    @_guarded
    def ranked(self, constraints, offset, limit, view=None):
        """Ids of the public remarks meeting the constraints, best first by BM25 (the search's
        words weigh; the filters do not), [offset:offset + limit]; stale months and None as
        for count()."""
        view = view or self._whole_view()
        if view is None:
            return None
        if limit <= 0:
            return []
        searcher = view.searcher
        hits = searcher.search(self.query(constraints, view.stale), limit, count=False, offset=offset).hits
        return [searcher.doc(address)["id"][0] for _, address in hits]

    def _whole_view(self):
        view = self.view()
        return view if view is not None and not view.stale else None

    def query(self, constraints, stale=frozenset()):
        """The query of every constraint, the `stale` months (YYYYMM, NO_MONTH) left out."""
        Query, Occur = self.tantivy.Query, self.tantivy.Occur
        parts = [(Occur.Must, self._constraint(c)) for c in constraints] or [(Occur.Must, Query.all_query())]
        if stale:
            parts.append((Occur.MustNot, Query.term_set_query(self.schema, "year_month", sorted(stale))))
        return parts[0][1] if len(parts) == 1 else Query.boolean_query(parts)

    def _constraint(self, constraint):
        Query, Occur = self.tantivy.Query, self.tantivy.Occur
        if isinstance(constraint, Terms):
            return Query.term_set_query(self.schema, constraint.field, list(constraint.values))
        if isinstance(constraint, Range):
            return Query.range_query(
                self.schema, constraint.field, self.tantivy.FieldType.Integer, constraint.low, constraint.high
            )
        if isinstance(constraint, AnyOf):
            return self._any([self._constraint(c) for c in constraint.constraints])
        if isinstance(constraint, Search):
            return self._search(constraint.parsed, constraint.scope)
        raise TypeError(constraint)

    def _any(self, queries):
        Query, Occur = self.tantivy.Query, self.tantivy.Occur
        return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Should, q) for q in queries])

    def _all(self, queries):
        Query, Occur = self.tantivy.Query, self.tantivy.Occur
        return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Must, q) for q in queries])

    def _search(self, parsed, scope):
        """The search backends' filter (search/base.py): every clause (an OR of terms), no
        excluded term; a phrase or Chinese term also occurs literally."""
        Query, Occur = self.tantivy.Query, self.tantivy.Occur
        if not parsed:
            return Query.boolean_query([(Occur.MustNot, Query.all_query())])
        fields = SCOPE_FIELDS[scope]
        parts = [(Occur.Must, self._any([self._term(term, fields) for term in clause])) for clause in parsed.clauses]
        parts += [
            (Occur.MustNot, self._literal(term, fields) if term.exact else self._indexed(term, fields))
            for term in parsed.excluded
        ]
        return Query.boolean_query(parts)

    def _term(self, term, fields):
        if not term.exact:
            return self._indexed(term, fields)
        if self._literal_implies_indexed(term):
            return self._literal(term, fields)
        return self._all([self._indexed(term, fields), self._literal(term, fields)])

    @staticmethod
    def _literal_implies_indexed(term):
        """Whether every text the literal check finds the term in holds its index tokens too,
        so the index need not be asked. A phrase of Latin words: when its literal tokens stem
        to its index tokens (the words are in a row in both fields: a Latin word is one token
        in each, and no token comes between words with nothing but punctuation between them;
        each stems, or keeps its capitals, as its literal token does). A term with Chinese:
        always, its index tokens being its Latin words' stems and its own characters and pairs
        of characters, which a text holding it literally holds (analysis.analyze_cased)."""
        if term.prefix:
            return False
        if term.adjacent:
            return tuple(stem(token) for token, _ in literal_tokens(term.exact)) == term.tokens
        return True  # an exact term not adjacent has Chinese in it (query.make_term)

    def _indexed(self, term, fields):
        """What the database's index matches: stems (or words in capitals as written)."""
        Query = self.tantivy.Query
        if term.prefix:
            word = term.tokens[0]
            pattern = "".join("\\" + c if not c.isalnum() else c for c in word) + ".*"
            return self._any(
                [Query.regex_query(self.schema, f"{f}_stem", pattern) for f in fields]
                + [Query.term_set_query(self.schema, f"{f}_stem", term.prefix_stems()) for f in fields if term.prefix_stems()]
            )
        kind = "cased" if term.cased else "stem"
        written = term.capitals or ("",) * len(term.tokens)
        tokens = [capitals or token for token, capitals in zip(term.tokens, written)]
        if term.adjacent:
            return self._any([self._phrase(f"{f}_{kind}", tokens) for f in fields])
        return self._all([self._any([Query.term_query(self.schema, f"{f}_{kind}", t) for f in fields]) for t in tokens])

    def _literal(self, term, fields):
        """The literal check of a phrase or Chinese term: its words (Chinese: characters) in
        order, case ignored but in the words written in capitals."""
        runs = literal_runs(term.exact)
        literal = [token for run in runs for token in run]
        capitals = set(term.capitals) - {""}
        cased = any(written in capitals for _, written in literal)
        tokens = [written if written in capitals else token for token, written in literal]
        if len(tokens) == 1:
            return self._any([self._phrase(f"{f}_exact_cased" if cased else f"{f}_exact", tokens) for f in fields])
        in_pairs = self._pairs(runs, fields)
        if not cased:
            return in_pairs
        # The capitals are checked on the tokens, the marks between them on the pairs, each
        # wherever it holds in a text: looser than the database only for a text holding the
        # phrase twice, once in its capitals with a mark where the query has none (WHO，的)
        # and once as written but in other case (who的).
        return self._all([self._any([self._phrase(f"{f}_exact_cased", tokens) for f in fields]), in_pairs])

    def _pairs(self, runs, fields):
        """The literal phrase of a query's runs in the fields of pairs: tokens of one run touch;
        between runs two Latin words are apart, and a Chinese character may touch or not (a
        pattern of either mark: the phrase is then asked by regular expressions)."""
        Query = self.tantivy.Query
        patterns, either = [], False
        for first, second, touching in _in_a_row(runs):
            if touching:
                patterns.append(first + TOUCHING + second)
            elif CJK_RE.match(first) or CJK_RE.match(second):
                patterns.append(f"{first}[{TOUCHING}{APART}]{second}")
                either = True
            else:
                patterns.append(first + APART + second)
        if not either:
            return self._any([self._phrase(f"{f}_pairs", patterns) for f in fields])
        if len(patterns) == 1:
            return self._any([Query.regex_query(self.schema, f"{f}_pairs", patterns[0]) for f in fields])
        return self._any([Query.regex_phrase_query(self.schema, f"{f}_pairs", patterns) for f in fields])

    def _phrase(self, field, tokens):
        Query = self.tantivy.Query
        if len(tokens) == 1:
            return Query.term_query(self.schema, field, tokens[0])
        return Query.phrase_query(self.schema, field, tokens)


def briefing_key(values):
    """The `briefing_key` of a briefing's values (BRIEFING_KEY)."""
    parts = []
    for name, width in BRIEFING_KEY.items():
        text = str(values[name])
        if len(text) > width:  # the model's limits keep within them; a wider one would shift the rest
            raise ValueError(f"{name} {text!r} is wider than the {width} characters of a briefing key")
        parts.append(text.ljust(width) if name in BRIEFING_TEXT else text.zfill(width))
    return "".join(parts)


def _key_slices():
    slices, start = {}, 0
    for name, width in BRIEFING_KEY.items():
        slices[name], start = slice(start, start + width), start + width
    slices["year_month"] = slice(0, 6)  # YYYYMM of the date's YYYYMMDD
    return slices


class BriefingList:
    """Briefings as the engine lists them: their keys, newest first. A common word's list holds
    tens of thousands, so a value is read by slicing every key at once, in C (`tally`), and
    only the ids asked for are read (`list[offset:stop]`)."""

    SLICES = _key_slices()

    def __init__(self, keys):
        self.keys = keys

    def __len__(self):
        return len(self.keys)

    def __getitem__(self, item):
        return [int(key[self.SLICES["id"]]) for key in self.keys[item]]

    def tally(self, field):
        """{value: how many briefings have it} of a field of BRIEFING_KEY, or "year_month"."""
        sliced = Counter(map(itemgetter(self.SLICES[field]), self.keys))
        return {_read(field, text): n for text, n in sliced.items()}

    def rows(self):
        """Every briefing's values, as tuples in BRIEFING_KEY's order."""
        for key in self.keys:
            yield tuple(_read(name, key[self.SLICES[name]]) for name in BRIEFING_KEY)


def _read(field, text):
    """A value of a briefing key as its slice holds it: a choice without its padding, or a number."""
    return text.rstrip() if field in BRIEFING_TEXT else int(text)


def document_texts(row):
    """The text fields of a remark's document: its tokens as the database's index has them
    (stems; stems with words in capitals as written) and as the literal check reads them, per
    field. Module-level and pure, so that worker processes can compute it."""
    stored = row.get("stored_tokens")
    analysed = search_backend().tokens_from_stored(stored) if stored else (
        analyze_cased(row["answer"] or ""), analyze_cased(row["question"] or "")
    )
    texts = {}
    for prefix, text, analyzed in (("a", row["answer"], analysed[0]), ("q", row["question"], analysed[1])):
        texts[f"{prefix}_stem"] = " ".join(token for token, _ in analyzed)
        texts[f"{prefix}_cased"] = " ".join(capitals or token for token, capitals in analyzed)
        runs = literal_runs(text or "")
        literal = [token for run in runs for token in run]
        texts[f"{prefix}_exact"] = " ".join(token for token, _ in literal)
        texts[f"{prefix}_exact_cased"] = " ".join(capitals or token for token, capitals in literal)
        texts[f"{prefix}_pairs"] = " ".join(pairs(runs))
    return texts


# How a pair's two literal tokens met: touching (中美, WHO的) or apart (of the, 认为，中美). No
# token holds either mark, or a space.
TOUCHING, APART = "_", "~"


def pairs(runs):
    """Each literal token of the runs (analysis.literal_runs) paired with the next, at the first
    one's position ("of the" → "of~the"): a phrase of pairs is the phrase of the tokens, found
    without reading the positions of two very common words, and it tells touching tokens from
    tokens apart, as the database's literal check does (query.join_words)."""
    return [first + (TOUCHING if touching else APART) + second for first, second, touching in _in_a_row(runs)]


def _in_a_row(runs):
    """(token, the next token, whether they touch) along the literal runs."""
    tokens = [(token, index > 0) for run in runs for index, (token, _) in enumerate(run)]
    return [(first, second, touching) for (first, _), (second, touching) in zip(tokens, tokens[1:])]


def _rows(remarks):
    """The remarks as the engine's documents need them, with their topics and entities."""
    stored = search_backend().stored_tokens()
    if stored is not None:
        remarks = remarks.annotate(stored_tokens=stored)
    rows = list(
        remarks.values(
            "id", "question", "answer", "year_month", "date", "kind", "language",
            "speaker_id", "ministry_id", "asked_by_id", "ministry__language", "translation__is_public", "translation__language",
            "briefing_id", "briefing__spokesperson_id", "briefing__kind",
            *(["stored_tokens"] if stored is not None else []),
        )
    )
    ids = [row["id"] for row in rows]
    tags = {"topics": {}, "entities": {}}
    for name in tags:
        field = Remark._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        for remark_id, tag_id in through.objects.filter(**{f"{source}_id__in": ids}).values_list(f"{source}_id", f"{target}_id"):
            tags[name].setdefault(remark_id, []).append(tag_id)
    for row in rows:
        row["day"] = day_number(row["date"])
        row["speaker"], row["ministry"], row["asked_by"] = row["speaker_id"], row["ministry_id"], row["asked_by_id"]
        row["briefing_spokesperson"], row["briefing_kind"] = row["briefing__spokesperson_id"], row["briefing__kind"]
        # The remark's language, ministry and date are its briefing's (copy_from_briefing).
        row["briefing_key"] = briefing_key({
            "id": row["briefing_id"], "date": row["day"], "spokesperson": row["briefing_spokesperson"] or 0,
            "ministry": row["ministry_id"], "kind": row["briefing__kind"], "language": row["language"],
        })
        row["topics"] = tags["topics"].get(row["id"], [])
        row["entities"] = tags["entities"].get(row["id"], [])
        row["versions"] = remark_versions(
            row["language"], row["ministry__language"], row["translation__is_public"], row["translation__language"]
        )
        yield row


_engines = {}


def search_engine():
    """This process's engine for SEARCH_ENGINE_DIR, or None when there is none (the setting is
    empty, or Tantivy is not installed)."""
    path = settings.SEARCH_ENGINE_DIR
    if not path:
        return None
    if path not in _engines:
        try:
            _engines[path] = SearchEngine(path)
        except ImportError:
            _engines[path] = None
    return _engines[path]
