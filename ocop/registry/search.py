"""The one search path of the registry: lists, the API and the public catalogue.

A query is folded into terms (ocop.core.text.fold_terms); every term must occur as a substring of
the folded ``search_text`` (for a product: its own or its producer's) or, for a term with a letter,
of its place's names (``Unit.place_text``, ocop.geo.places: commune, district, province, current
and former). The same rule on both databases, served by an index over the same folded column:

- SQLite: an FTS5 table with the ``trigram`` tokenizer per table (``registry_product_fts``,
  ``registry_producer_fts``), external content kept in sync by triggers, so bulk_create, update(),
  raw SQL, imports and restores keep it right;
- PostgreSQL: a ``pg_trgm`` GIN index on ``search_text`` (migration 0002) serving ``LIKE '%term%'``;
  each term's arms (own text, producer, place) are served by indexes and ORed (`_pg_term`).

Place names live on the ~14,000 units (``Unit.place_text``: trigram-indexed on PostgreSQL, an FTS5
trigram table ``geo_unit_fts`` on SQLite); a record matches through the index on its ``unit_id``.

A trigram index cannot serve a term of fewer than 3 characters: such a term is matched with the
plain LIKE, which gives the same rows.

Ranking (``rank_products`` / ``rank_producers``) is a portable CASE, identical on both databases:
the exact code or name < the text starts with the phrase (the name comes first in search_text) <
every term starts a word < every term in the row's own text < a term only in the producer's text
or the place; ties by sort_key, pk.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

from ocop.core.text import fold_terms
from ocop.geo.models import Unit

from .models import Producer, Product

MIN_INDEXED = 3  # a trigram index matches terms of at least 3 characters
RANK = "search_rank"
LIST_MAX = 3000  # up to this many units (or producers) found by a term are passed as a list

# table → its FTS5 table (SQLite): the records' folded text, and the units' place names
# (registry 0013: a place term found 37 of 14,165 units by a 2 ms scan, 0.01 ms through the index).
FTS_TABLES = {
    "registry_product": "registry_product_fts",
    "registry_producer": "registry_producer_fts",
    "geo_unit": "geo_unit_fts",
}
FTS_COLUMNS = {"geo_unit": "place_text"}  # the indexed column when it is not search_text


def fts_statements(table: str) -> list[str]:
    """DDL of the FTS5 index of ``table`` and the triggers keeping it in sync (idempotent)."""
    fts = FTS_TABLES[table]
    column = FTS_COLUMNS.get(table, "search_text")
    delete = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
        f"{column}, content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF id, {column} ON {table} "
        f"BEGIN {delete} {insert} END",
    ]


def fts_drop_statements(table: str) -> list[str]:
    fts = FTS_TABLES[table]
    return [f"DROP TRIGGER IF EXISTS {fts}_{suffix}" for suffix in ("ai", "ad", "au")] + [
        f"DROP TABLE IF EXISTS {fts}"
    ]


def ensure_fts(connection: BaseDatabaseWrapper, tables: Iterable[str] | None = None) -> list[str]:
    """Creates what is missing of the SQLite FTS indexes (of ``tables``, default all) and rebuilds
    those that were incomplete.

    Django remakes a SQLite table for some schema changes (copy, drop, rename): the old table's
    triggers go with it. Run after every migrate, this puts them back. Returns the rebuilt tables.
    """
    if connection.vendor != "sqlite":
        return []
    rebuilt = []
    with connection.cursor() as cursor:
        for table in tables if tables is not None else FTS_TABLES:
            fts = FTS_TABLES[table]
            names = [fts, f"{fts}_ai", f"{fts}_ad", f"{fts}_au"]
            cursor.execute(
                f"SELECT count(*) FROM sqlite_master WHERE name IN ({', '.join(['%s'] * len(names))})", names
            )
            if cursor.fetchone()[0] == len(names):
                continue
            for statement in fts_statements(table):
                cursor.execute(statement)
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
            rebuilt.append(fts)
    return rebuilt


def rebuild_fts(connection: BaseDatabaseWrapper) -> None:
    """Rebuilds the SQLite FTS indexes from their tables (after a restore, or to repair)."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for fts in FTS_TABLES.values():
            cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _ids_sql(model: type[Producer] | type[Product], term: str, using: str) -> tuple[str, tuple]:
    """SQL selecting the ids of the rows of ``model`` whose own folded text holds ``term``."""
    if len(term) >= MIN_INDEXED and connections[using].vendor == "sqlite":
        fts = FTS_TABLES[model._meta.db_table]
        return f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", (_fts_phrase(term),)
    # PostgreSQL: the trigram GIN index serves this LIKE; a short term scans (the same rows).
    query = model._base_manager.filter(search_text__contains=term).order_by().values("pk").query
    sql, params = query.get_compiler(using).as_sql()
    return sql, tuple(params)


class _AnyOf(Func):
    """``field = ANY('{ids}'::bigint[])``, the ids a comma-separated string of integers."""

    output_field = BooleanField()

    def __init__(self, field: str, ids: str) -> None:
        super().__init__(F(field))
        self.ids = ids

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} = ANY('{{{self.ids}}}'::bigint[])", params


def _id_list(field: str, ids: list[int], using: str) -> Q:
    """``field IN (ids)``, the ids written into the SQL (integers read from the database), not bound
    one by one: the ORM prepared each of "dong"'s 2,741 unit ids for every statement of the page.
    PostgreSQL gets them as one array constant, ``field = ANY('{…}'::bigint[])``: the same index
    condition as the IN list, which it parsed and typed id by id (national data, "dong thap":
    planning 6.8 → 4.6 ms). Either way its size is known to the planner."""
    if not ids:
        return Q(pk__in=[])
    written = ",".join(map(str, map(int, ids)))
    if connections[using].vendor == "postgresql":
        return Q(_AnyOf(field, written))
    return Q(**{f"{field}__in": RawSQL(written, ())})


def _listed(ids_sql: tuple[str, tuple], field: str, using: str, term: str) -> Q:
    """``field`` among the ids the SQL selects: up to LIST_MAX as a list (`_id_list`), more as the
    subquery itself. On PostgreSQL a term too short for the trigram indexes goes straight in as the
    subquery: no index serves it, so reading its ids first was a scan of its own whose ids were
    mostly thrown away ("xa" is in most places' names; national data, products "?q=xa" 59 → 47 ms).
    SQLite's short-term scans are cheaper than its plan without the list (a few % slower)."""
    sql, params = ids_sql
    if len(term) < MIN_INDEXED and connections[using].vendor == "postgresql":
        return Q(**{f"{field}__in": RawSQL(sql, params)})
    with connections[using].cursor() as cursor:
        cursor.execute(f"{sql} LIMIT {LIST_MAX + 1}", params)
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) <= LIST_MAX:
        return _id_list(field, ids, using)
    return Q(**{f"{field}__in": RawSQL(sql, params)})


def _place_match(field: str, term: str, using: str) -> Q:
    """``field`` (a unit_id column) among the units whose place names hold ``term``; ORed with the
    text match of the searched rows, not one more arm of their UNION: a common word ("dong") names
    thousands of units. The unit ids are read first (one small query through the index of place
    names: FTS5 on SQLite, trigram on PostgreSQL) and given as a list, so the rows are read through
    the unit_id index (national data, SQLite, "dong thap": 12 ms instead of 23)."""
    if connections[using].vendor == "sqlite" and len(term) >= MIN_INDEXED:
        fts = FTS_TABLES[Unit._meta.db_table]
        match = (f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s", (_fts_phrase(term),))
        return _listed(match, field, using, term)
    units = Unit._base_manager.using(using).filter(place_text__contains=term).order_by().values("pk")
    sql, params = units.query.get_compiler(using).as_sql()
    return _listed((sql, tuple(params)), field, using, term)


def _places(term: str) -> bool:
    return any(ch.isalpha() for ch in term)  # codes and numbers are never place names


def _product_ids(term: str, *, producer: bool, using: str) -> RawSQL:
    """The ids of the products whose text (or, with ``producer``, whose producer's) holds ``term``.

    One set (a UNION), so that each database drives the query from the few matching ids instead of
    scanning the products and probing two sets per row.
    """
    sql, params = _ids_sql(Product, term, using)
    if producer:
        quote = connections[using].ops.quote_name
        by_producer, more = _ids_sql(Producer, term, using)
        sql = (
            f"{sql} UNION SELECT {quote('id')} FROM {quote(Product._meta.db_table)} "
            f"WHERE {quote('producer_id')} IN ({by_producer})"
        )
        params += more
    return RawSQL(sql, params)


def _pg_term(term: str, *, producer: bool, using: str) -> Q:
    """PostgreSQL: one term's match of a product, each arm served by an index: the product's own
    text by its trigram index, producer_id and unit_id by the lists of the producers and units
    whose text holds the term (`_listed`). The planner ORs the arms into one bitmap and ANDs the
    terms; ``pk IN (subquery) OR unit_id IN (subquery)`` was a hashed probe of two sets for every
    product instead (national data, "dong thap": 25 ms → 8 ms)."""
    matched = Q(search_text__contains=term)
    if producer:
        matched |= _listed(_ids_sql(Producer, term, using), "producer_id", using, term)
    if _places(term):
        matched |= _place_match("unit_id", term, using)
    return matched


def product_condition(
    text: str, *, path: str = "", producer: bool = True, producer_numbers: bool = True, using: str = "default"
) -> Q:
    """Every folded term of ``text`` in the product's text (or, with ``producer``, its producer's).

    ``path`` leads from the queried model to the product ("product__" for certificates);
    ``producer_numbers=False`` matches a term without a letter (codes, GTIN, tax numbers) against
    the product only (the public catalogue never confirms whose tax number a number is).
    """
    terms = fold_terms(text)
    if path and terms:
        # Another table's rows (certificates, dossiers): those of the products found, one set the
        # database makes once, rather than the products' conditions tested on every row joined to
        # its product (22,331 certificates for "dong thap").
        found = product_condition(text, producer=producer, producer_numbers=producer_numbers, using=using)
        return Q(**{f"{path}pk__in": Product._base_manager.using(using).filter(found).values("pk")})
    postgresql = connections[using].vendor == "postgresql"
    all_short = all(len(term) < MIN_INDEXED for term in terms)
    condition = Q()
    for term in terms:
        with_producer = producer and (producer_numbers or any(ch.isalpha() for ch in term))
        if postgresql:
            condition &= _pg_term(term, producer=with_producer, using=using)
            continue
        if len(term) < MIN_INDEXED:
            # No index serves a short term: test it on the rows the other terms chose (a LIKE per
            # row), not by listing every row that holds it ("xa" is in most names).
            matched = Q(search_text__contains=term)
            if with_producer and all_short:
                # Nothing else chooses the rows: the producers holding the term once (a set),
                # not a join and a LIKE of each product's producer ("ca": 33 → 24 ms).
                producers = Producer._base_manager.using(using).filter(search_text__contains=term)
                matched |= Q(producer_id__in=producers.order_by().values("pk"))
            elif with_producer:
                matched |= Q(producer__search_text__contains=term)
        else:
            matched = Q(pk__in=_product_ids(term, producer=with_producer, using=using))
        if _places(term):
            matched |= _place_match("unit_id", term, using)
        condition &= matched
    return condition


def producer_condition(text: str, *, using: str = "default") -> Q:
    """Every folded term of ``text`` in the producer's text or its place's names."""
    postgresql = connections[using].vendor == "postgresql"
    condition = Q()
    for term in fold_terms(text):
        if postgresql or len(term) < MIN_INDEXED:
            # PostgreSQL: the trigram index serves it in this query; a short term (no index): a
            # LIKE on the rows the other terms chose, as in product_condition.
            matched = Q(search_text__contains=term)
        else:
            matched = Q(pk__in=RawSQL(*_ids_sql(Producer, term, using)))
        if _places(term):
            matched |= _place_match("unit_id", term, using)
        condition &= matched
    return condition


def _word_starts(field: str, terms: list[str]) -> Q:
    condition = Q()
    for term in terms:
        condition &= Q(**{f"{field}__startswith": term}) | Q(**{f"{field}__contains": f" {term}"})
    return condition


def _rank(field: str, terms: list[str], exact: Q) -> Case:
    phrase = " ".join(terms)
    whens = [
        # The exact code or name: search_text is "name | …", the name alone, or the code typed.
        When(exact | Q(**{field: phrase}) | Q(**{f"{field}__startswith": f"{phrase} |"}), then=Value(0)),
        When(Q(**{f"{field}__startswith": phrase}), then=Value(1)),
        When(_word_starts(field, terms), then=Value(2)),
    ]
    own = Q()
    for term in terms:
        own &= Q(**{f"{field}__contains": term})
    # Products: a match in the product's own text before one only in its producer's or its place.
    whens.append(When(own, then=Value(3)))
    return Case(*whens, default=Value(4), output_field=IntegerField())


def _code_text(text: str) -> str:
    return text.strip().upper()


def search_products(
    queryset: QuerySet[Product], text: str, *, producer_numbers: bool = True, rank: bool = True
) -> QuerySet[Product]:
    """Products matching ``text`` (see product_condition), ranked when ``rank``."""
    terms = fold_terms(text)
    if not terms:
        return queryset
    queryset = queryset.filter(product_condition(text, producer_numbers=producer_numbers, using=queryset.db))
    if not rank:
        return queryset
    code = _code_text(text)
    exact = Q(code=code) | Q(legacy_code=code) | Q(gtin=code)
    return queryset.annotate(**{RANK: _rank("search_text", terms, exact)}).order_by(RANK, "sort_key", "pk")


def search_producers(queryset: QuerySet[Producer], text: str, *, rank: bool = True) -> QuerySet[Producer]:
    terms = fold_terms(text)
    if not terms:
        return queryset
    queryset = queryset.filter(producer_condition(text, using=queryset.db))
    if not rank:
        return queryset
    exact = Q(tax_code=text.strip())
    return queryset.annotate(**{RANK: _rank("search_text", terms, exact)}).order_by(RANK, "sort_key", "pk")


def naive_products(
    queryset: QuerySet[Product], text: str, *, producer_numbers: bool = True
) -> QuerySet[Product]:
    """The unindexed rule (every term a substring of the product's or producer's text or, with a
    letter, of its place's names): the reference the indexed search is tested against."""
    for term in fold_terms(text):
        condition = Q(search_text__contains=term)
        if producer_numbers or any(ch.isalpha() for ch in term):
            condition |= Q(producer__search_text__contains=term)
        if _places(term):
            condition |= Q(unit__place_text__contains=term)
        queryset = queryset.filter(condition)
    return queryset


class RankedListMixin:
    """For a list view with a table: a search without a chosen column sort keeps the search's rank
    order (the table's default order would replace it); a sort the user picks still wins."""

    def get_table_kwargs(self) -> dict:
        kwargs = super().get_table_kwargs()  # type: ignore[misc]
        request = self.request  # type: ignore[attr-defined]
        sort_field = getattr(getattr(self.table_class, "_meta", None), "order_by_field", "sort")  # type: ignore[attr-defined]
        if fold_terms(request.GET.get("q", "")) and not request.GET.get(sort_field):
            kwargs["order_by"] = ()  # an empty order: django-tables2 leaves the queryset's order
        return kwargs
