"""Bulk inserts for the spreadsheet imports: what ``QuerySet.bulk_create`` and simple-history's
``bulk_create_with_history`` write, without Django's per-value compilation.

``bulk_create`` compiles every value of every row through the insert compiler (placeholder,
expression checks, parameter hooks); for an import of 20,000 products and their 20,000 history
rows that was a third of the import's time. `insert` writes the same rows, each value still through
its field's ``pre_save`` (auto_now…) and ``get_db_prep_save`` (dates, time zones, JSON):

- SQLite: one placeholder row repeated, the keys back by ``RETURNING`` as bulk_create gets them;
- PostgreSQL: ``COPY``, with keys drawn beforehand from the sequence of the automatic key.

Anything it does not handle — an expression as a value, a model whose insert returns more than its
key, a key already set, a key without a sequence, another database — goes to ``bulk_create``
itself. test_bulk holds the rows of both equal.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object, get_history_manager_for_model

MAX_ROWS = 1000  # rows per INSERT statement


def _psycopg3() -> bool:
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return is_psycopg3


def _plain(objs: Sequence[models.Model], using: str) -> bool:
    """Whether `insert` writes these rows as bulk_create would (else bulk_create writes them)."""
    opts = objs[0]._meta
    connection = connections[using]
    return (
        (
            (connection.vendor == "sqlite" and connection.features.can_return_rows_from_bulk_insert)
            # PostgreSQL: COPY (psycopg 3's), with keys drawn from the sequence of an automatic key.
            or (connection.vendor == "postgresql" and _psycopg3() and isinstance(opts.pk, models.AutoField))
        )
        and list(opts.db_returning_fields) == [opts.pk]
        and not opts.all_parents
        and all(type(obj) is type(objs[0]) and not obj._is_pk_set() for obj in objs)
    )


def insert(objs: Sequence[models.Model], using: str | None = None) -> list[models.Model]:
    """INSERT the unsaved ``objs`` (instances of one model) and set their keys, as
    ``Model.objects.bulk_create(objs)`` does for rows of plain values. No signals are sent."""
    objs = list(objs)
    if objs:
        _insert(objs, using or router.db_for_write(type(objs[0])))
    return objs


Prepared = tuple[list[models.Field], list[list[Any]]]


def _insert(objs: list[models.Model], using: str) -> Prepared | None:
    """`insert`; returns the fields and rows of values written, None when bulk_create wrote them."""
    model = type(objs[0])
    if not _plain(objs, using):
        model._base_manager.using(using).bulk_create(objs)
        return None
    for obj in objs:  # as bulk_create does: a related object saved since it was set gives its key
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    connection = connections[using]
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.generated and f is not opts.pk]
    rows = []
    for obj in objs:
        values = [field.pre_save(obj, True) for field in fields]
        if any(hasattr(value, "resolve_expression") for value in values):
            model._base_manager.using(using).bulk_create(objs)
            return None
        pairs = zip(fields, values, strict=True)
        rows.append([field.get_db_prep_save(value, connection=connection) for field, value in pairs])
    keys = _write(opts, fields, rows, using)
    for obj, key in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = using
    return fields, rows


def _write(opts: Any, fields: list[models.Field], rows: list[list[Any]], using: str) -> list[Any]:
    """INSERTs the rows (values of ``fields``, keys left to the database); their keys, in order."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        return _copy(opts, fields, rows, using)
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(opts.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES "
    placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
    tail = f" RETURNING {qn(opts.pk.column)}"
    # Within the database's limit on parameters, and statements of a sensible length.
    size = max(1, min(MAX_ROWS, connection.ops.bulk_batch_size(fields, rows)))
    converters = opts.pk.get_db_converters(connection)
    keys: list[Any] = []
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            cursor.execute(
                head + ", ".join([placeholders] * len(batch)) + tail, [v for row in batch for v in row]
            )
            returned = [row[0] for row in cursor.fetchall()]
            if len(returned) != len(batch):  # never: every row is inserted or the statement fails
                raise RuntimeError("bulk insert returned fewer keys than rows")
            for key in returned:
                for converter in converters:
                    key = converter(key, opts.pk, connection)
                keys.append(key)
    return keys


def _copy(opts: Any, fields: list[models.Field], rows: list[list[Any]], using: str) -> list[Any]:
    """PostgreSQL: the keys drawn from the key's sequence in one statement, then the rows, keys
    included, by ``COPY … FROM STDIN`` (psycopg writes each row in C; bulk_create's arrays were
    dumped value by value in Python)."""
    connection = connections[using]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in [opts.pk, *fields])
    copy_sql = f"COPY {qn(opts.db_table)} ({columns}) FROM STDIN"
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [qn(opts.db_table), opts.pk.column, len(rows)],
        )
        keys = [row[0] for row in cursor.fetchall()]
        started = time.monotonic()
        # Django's own errors (IntegrityError…), as for the statements it runs itself.
        with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
            for key, row in zip(keys, rows, strict=True):
                copy.write_row([key, *row])
        if connection.queries_logged:  # shown with the other statements (debug, query counts)
            connection.queries_log.append(
                {"sql": f"{copy_sql} -- {len(rows)} rows", "time": f"{time.monotonic() - started:.3f}"}
            )
    return keys


def insert_with_history(
    objs: Sequence[models.Model], *, user: Any = None, reason: str | None = None, using: str | None = None
) -> list[models.Model]:
    """``bulk_create_with_history(objs, model, default_user=user, default_change_reason=reason)``
    through `insert`: the objects, then one "+" history row each (its tracked fields, the user and
    the reason, simple-history's defaults for the rest), in one transaction."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    using = using or router.db_for_write(model)
    with transaction.atomic(using=using, savepoint=False):
        written = _insert(objs, using)
        if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            history = get_history_manager_for_model(model).model
            rows = _history_values(history, objs, written, user, reason, using) if written else None
            if rows is None:
                insert(history_rows(objs, user=user, reason=reason), using)
            else:
                _write(history._meta, rows[0], rows[1], using)
    return objs


# The fields simple-history adds to a history model, besides its key and the tracked fields.
_HISTORY_OWN = {"history_date", "history_change_reason", "history_type", "history_user", "history_relation"}


def _history_values(
    history: Any, objs: list[models.Model], written: Prepared, user: Any, reason: str | None, using: str
) -> Prepared | None:
    """The rows of values `history_rows` would give, from the rows just written: a tracked field's
    value is the record's, already prepared for the database (simple-history's copy of a field
    stores what the field stores); without building a history instance per row. None when the
    history model has a field this cannot fill so (then `history_rows` builds them)."""
    hopts = history._meta
    if not isinstance(hopts.pk, models.AutoField) or hopts.all_parents:
        return None
    fields = [f for f in hopts.concrete_fields if not f.generated and f is not hopts.pk]
    tracked = {f.attname for f in history.tracked_fields}
    # Columns added to the history model (core.audit's request_id): their default, as a history
    # instance built without them would store; unless the field computes its value when saved.
    extra = {f for f in fields if f.attname not in tracked and f.name not in _HISTORY_OWN}
    if any(type(f).pre_save is not models.Field.pre_save for f in extra):
        return None
    opts = objs[0]._meta
    position = {f.attname: index for index, f in enumerate(written[0])}
    if any(
        f.attname in tracked and f.attname not in position and f.attname != opts.pk.attname for f in fields
    ):
        return None  # a tracked field that was not written (generated by the database)
    connection = connections[using]
    rows = []
    for obj, values in zip(objs, written[1], strict=True):
        own = {
            "history_date": getattr(obj, "_history_date", timezone.now()),
            "history_change_reason": get_change_reason_from_object(obj) or reason,
            "history_type": "+",
            "history_user": getattr(obj, "_history_user", user or history.get_default_history_user(obj)),
            "history_relation": obj.pk,
        }
        row = []
        for field in fields:
            if field.attname in tracked:
                if field.attname == opts.pk.attname:
                    value = field.get_db_prep_save(obj.pk, connection=connection)
                else:
                    value = values[position[field.attname]]
            else:
                value = field.get_default() if field in extra else own[field.name]
                if field.is_relation and isinstance(value, models.Model):
                    value = value.pk
                value = field.get_db_prep_save(value, connection=connection)
            row.append(value)
        rows.append(row)
    return fields, rows


def history_rows(objs: Sequence[models.Model], *, user: Any = None, reason: str | None = None) -> list[Any]:
    """The "+" history rows simple-history's ``bulk_history_create`` builds for saved ``objs``."""
    history = get_history_manager_for_model(type(objs[0])).model
    tracked = [field.attname for field in history.tracked_fields]
    rows = []
    for obj in objs:
        row = history(
            history_date=getattr(obj, "_history_date", timezone.now()),
            history_user=getattr(obj, "_history_user", user or history.get_default_history_user(obj)),
            history_change_reason=get_change_reason_from_object(obj) or reason,
            history_type="+",
            **{name: getattr(obj, name) for name in tracked},
        )
        if hasattr(history, "history_relation"):
            row.history_relation_id = obj.pk
        rows.append(row)
    return rows
