"""Hand-written statements for the hot paths, built from the models' own field definitions.

The ORM spends about ten times more CPU building a statement than the database driver spends
sending it (a `select_related(...).first()` costs ~2 ms of Python, the same SELECT written out
~0.15 ms). On the few paths that run for every request or every submission, the statement is
written once per model from `_meta` and reused; values still go through each field's own
`get_db_prep_save` on the way in and its converters on the way out, so types, time zones and JSON
behave exactly as through the ORM on SQLite and PostgreSQL alike. Everything else uses the ORM.

Statements run through `execute()`: on PostgreSQL a cursor that prepares each statement at its
first use on a connection (ADR 18: parsing and planning were most of the server's work on these
paths), elsewhere `connection.cursor()`. Either is wrapped as Django wraps its own, so
`execute_wrapper`s (the benchmark's counter, the tests' query-count assertions) see them like
any other.
"""

from __future__ import annotations

import datetime as dt
import decimal
import functools
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.models import signals
from psycopg.types.json import Json, Jsonb

M = TypeVar("M", bound=models.Model)

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _Shape:
    model: type[models.Model]
    fields: tuple[models.Field, ...]
    attnames: tuple[str, ...]
    pk_index: int
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]  # (index, converters, column)


@functools.cache
def _shape(model: type[models.Model], vendor: str, only: tuple[str, ...] | None = None) -> _Shape:
    del vendor  # part of the cache key: converters differ by database
    fields = tuple(model._meta.concrete_fields)
    if only is not None:
        fields = tuple(f for f in fields if f.primary_key or f.attname in only)
        if len(fields) != len(set(only) | {model._meta.pk.attname}):
            raise ValueError(f"{model.__name__}: not every name in {sorted(only)} is a column's attname")
    converters = []
    for i, f in enumerate(fields):
        col = f.get_col(model._meta.db_table)
        found = tuple(connection.ops.get_db_converters(col)) + tuple(col.get_db_converters(connection))
        if found:
            converters.append((i, found, col))
    pk_index = next(i for i, f in enumerate(fields) if f.primary_key)
    return _Shape(model, fields, tuple(f.attname for f in fields), pk_index, tuple(converters))


def shape(model: type[models.Model], only: tuple[str, ...] | None = None) -> _Shape:
    return _shape(model, connection.vendor, only)


def columns(model: type[models.Model], alias: str, only: tuple[str, ...] | None = None) -> str:
    """The select list of every concrete column of `model` under `alias`, in `build`'s order; with
    `only` (attnames), just those and the primary key, for `build(..., only=)` (the others are
    then deferred, as after the ORM's `only()`: reading one costs a query)."""
    qn = connection.ops.quote_name
    return ", ".join(f"{alias}.{qn(f.column)}" for f in shape(model, only).fields)


def width(model: type[models.Model], only: tuple[str, ...] | None = None) -> int:
    return len(shape(model, only).fields)


def _connection() -> Any:
    """The default connection itself: `django.db.connection` is a proxy whose every attribute
    costs a thread-local lookup, and a row's values ask it dozens of times."""
    return connections[DEFAULT_DB_ALIAS]


def build(
    model: type[M], row: Sequence[Any], start: int = 0, only: tuple[str, ...] | None = None
) -> M | None:
    """The instance whose columns (as `columns` lists them, with the same `only`) begin at
    `row[start]`; None when the primary key there is NULL (an outer join that found nothing)."""
    conn = _connection()
    s = _shape(model, conn.vendor, only)
    values = list(row[start : start + len(s.fields)])
    if values[s.pk_index] is None:
        return None
    for i, converters, col in s.converters:
        for convert in converters:
            values[i] = convert(values[i], col, conn)
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model.from_db(conn.alias, list(s.attnames), values)  # type: ignore[return-value]
    # What `from_db` makes of a full row, without `Model.__init__`'s generic argument handling
    # (a third of building a 30-column instance): the values go straight into the instance's
    # dict, as __init__ leaves them for a new object, which has no related object cached.
    instance = model.__new__(model)
    instance.__dict__.update(zip(s.attnames, values, strict=True))
    state = instance._state = models.base.ModelState()
    state.adding = False
    state.db = conn.alias
    return instance  # type: ignore[return-value]


def build_all(
    models_: Sequence[type[models.Model]],
    row: Sequence[Any],
    only: Sequence[tuple[str, ...] | None] | None = None,
) -> list[models.Model | None]:
    """The instances of `models_` whose columns (each as `columns` lists them, with the matching
    entry of `only`) follow one another in `row`, as a SELECT joining them lists them; None for
    each an outer join did not find."""
    built, start = [], 0
    for i, model in enumerate(models_):
        subset = only[i] if only is not None else None
        built.append(build(model, row, start, subset))
        start += width(model, subset)
    return built


@functools.cache
def _blank(
    model: type[models.Model],
) -> tuple[dict[str, Any], tuple[tuple[str, str, Any], ...], dict, frozenset[str]]:
    """What a new instance of `model` starts from: the attname → default of each field whose
    default is one value (as `Field.get_default` gives it), the (name, attname, factory) of each
    whose default is called per instance, the forward relations by name, and every attname."""
    constant: dict[str, Any] = {}
    factories = []
    for f in model._meta.concrete_fields:
        if f.generated:
            continue
        if f.has_default() and callable(f.default):
            factories.append((f.name, f.attname, f.default))
        else:
            constant[f.attname] = f.get_default()
    related = {f.name: f for f in model._meta.concrete_fields if f.is_relation}
    attnames = frozenset(f.attname for f in model._meta.concrete_fields if not f.generated)
    return constant, tuple(factories), related, attnames


def new(model: type[M], **values: Any) -> M:
    """`model(**values)` for the hot paths that make many instances (a submission makes twelve):
    the same instance without `Model.__init__`'s walk over every field with its generic argument
    handling (~40 µs for a case's 52 fields; this, ~8). Each field not given gets its default; a
    related object given by name is set through its descriptor, as `__init__` sets it (the key
    taken, the object cached, its type checked); every other value goes into the instance's
    dict, as `__init__` leaves it. Only concrete fields, by name or attname (TypeError for
    anything else, such as a property); models with init signals are made by `__init__`."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model(**values)
    constant, factories, related, attnames = _blank(model)
    instance = model.__new__(model)
    instance._state = models.base.ModelState()
    known = instance.__dict__
    known.update(constant)
    for name, attname, factory in factories:
        if name not in values and attname not in values:
            known[attname] = factory()
    for name, value in values.items():
        if name in related:
            setattr(instance, name, value)
        elif name in attnames:
            known[name] = value
        else:
            raise TypeError(f"{model.__name__}() got an unexpected keyword argument {name!r}")
    return instance


def param(model: type[models.Model], field: str, value: Any) -> Any:
    """`value` as the database takes it in a comparison with `model.field` (a datetime on SQLite
    is text in UTC, on PostgreSQL a timestamptz)."""
    return model._meta.get_field(field).get_db_prep_value(value, connection, prepared=False)


def convert(model: type[models.Model], field: str, value: Any) -> Any:
    """One column's value as the ORM would give it (SQLite's text datetimes become datetimes)."""
    s = shape(model)
    index = s.attnames.index(model._meta.get_field(field).attname)
    for i, converters, col in s.converters:
        if i == index:
            for fn in converters:
                value = fn(value, col, connection)
    return value


def execute(sql: str, params: Sequence[Any]) -> list[tuple]:
    """Run one hot-path statement and return its rows: on PostgreSQL through the connection's
    kept cursor that prepares it (`prepared_cursor`, ADR 18), elsewhere through a plain cursor.
    The SQL must be preparable: no `%s` where PostgreSQL takes no parameter (an identifier, a
    keyword), one statement."""
    conn = _connection()
    run_prepared = getattr(conn, "run_prepared", None)
    if run_prepared is not None:
        return run_prepared(sql, params)
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def fetch(sql: str, params: Sequence[Any]) -> tuple | None:
    """The first row of a hot-path statement (`execute`), or None."""
    found = execute(sql, params)
    return found[0] if found else None


@functools.cache
def _inserted(model: type[models.Model], vendor: str, with_pk: bool) -> tuple[models.Field, ...]:
    """The fields an INSERT writes: all of them, the primary key only when the objects bring it."""
    pk = model._meta.pk
    return tuple(f for f in _shape(model, vendor).fields if with_pk or f is not pk)


@functools.cache
def _insert_head(model: type[models.Model], vendor: str, with_pk: bool) -> tuple[str, str]:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in _inserted(model, vendor, with_pk))
    return (
        f"INSERT INTO {qn(model._meta.db_table)} ({columns}) ",
        f" RETURNING {qn(model._meta.pk.column)}",
    )


@functools.cache
def _array_types(model: type[models.Model], vendor: str, with_pk: bool) -> tuple[str, ...] | None:
    """PostgreSQL: each inserted column's array element type for `UNNEST`, as Django's own
    `bulk_create` chooses them; None (rows go as VALUES) when a field has a placeholder of its own
    or an internal type the backend has no column type for."""
    if vendor != "postgresql":
        return None
    types = []
    for f in _inserted(model, vendor, with_pk):
        target = f.target_field if f.is_relation else f
        if hasattr(f, "get_placeholder") or target.get_internal_type() not in connection.data_types:
            return None
        types.append(f.db_type(connection).split("(")[0])
    return tuple(types)


@functools.cache
def _json_select(model: type[models.Model], vendor: str, with_pk: bool) -> str | None:
    """PostgreSQL: the select list that reads each inserted column from `e`, one row of a JSON
    array (`jsonb_array_elements`), cast to the column's type without its length, so an
    over-long text is refused by the column as the ORM's INSERT would be, never cut. None when
    `_array_types` knows no type.

    `jsonb`, not `json`: `e->>i` on a `json` row lexes the row's text again from its start for
    every column (a case's 52 columns, ~1,400 elements lexed), a fifth of the database's CPU
    per submission; a `jsonb` row is parsed once and indexed (2.67 -> 2.13 ms per submission).
    A JSON field's value is part of the row's JSON (`_embedded`), not a text holding its own
    JSON: no second encoding of it here, no escaping of that text, no second parse there."""
    types = _array_types(model, vendor, with_pk)
    if types is None:
        return None
    fields = _inserted(model, vendor, with_pk)
    return ", ".join(
        # A JSON field's value is a JSON value of the row itself (`_json_rows`): read as it is,
        # its JSON null as SQL NULL, as the ORM stores a None.
        f"NULLIF(e->{i}, 'null'::jsonb)" if _embedded(f) else f"(e->>{i})::{t}"
        for i, (f, t) in enumerate(zip(fields, types, strict=True))
    )


def _embedded(field: models.Field) -> bool:
    """Whether `field`'s values travel inside the JSON row as JSON (a JSON field of Django's own
    class, with its default encoder), rather than as the text of their own JSON document."""
    return type(field) is models.JSONField and field.encoder is None


_NOT_LOADED = object()  # a deferred field's value: the field's `pre_save` reads it

# What an embedded JSON field's value may be to travel as it is: what `json.dumps` writes alike
# inside the row and on its own (a value of another type goes the parameters' way).
_JSON_TYPES = (dict, list, str, int, float, bool)


# Field classes whose `pre_save` and `get_db_prep_save` give a value of these exact types back
# unchanged on PostgreSQL, or as a subclass `json.dumps` writes the same (the integer fields wrap
# an int in psycopg's Int2/Int4/Int8): for the JSON rows, the value itself will do.
_PASS_THROUGH: dict[type[models.Field], tuple[type, ...]] = {
    **dict.fromkeys(
        (models.CharField, models.TextField, models.SlugField, models.EmailField, models.URLField), (str,)
    ),
    **dict.fromkeys(
        (
            models.IntegerField,
            models.BigIntegerField,
            models.SmallIntegerField,
            models.PositiveIntegerField,
            models.PositiveBigIntegerField,
            models.PositiveSmallIntegerField,
            models.AutoField,
            models.BigAutoField,
            models.SmallAutoField,
        ),
        (int,),
    ),
    models.BooleanField: (bool,),
    models.UUIDField: (uuid.UUID,),
}


# A date or time stamp field that stamps nothing itself (no auto_now, no auto_now_add) hands a
# date, or a datetime that knows its offset, back unchanged on PostgreSQL; a naive datetime it
# makes aware in the current time zone (`_json_rows` asks it), a datetime given for a date it cuts.
_STAMPS: dict[type[models.Field], tuple[type, ...]] = {
    models.DateField: (dt.date,),
    models.DateTimeField: (dt.datetime,),
}


def _pass_through(field: models.Field) -> tuple[type, ...] | None:
    """The value types `field` passes unchanged into a JSON row (`_PASS_THROUGH`, `_STAMPS`), by
    its exact class (a subclass may convert), a foreign key by its target's; None: ask the field."""
    if type(field) in _STAMPS and not (field.auto_now or field.auto_now_add):
        return _STAMPS[type(field)]
    if type(field).pre_save is not models.Field.pre_save:
        return None
    if type(field) in (models.ForeignKey, models.OneToOneField):
        field = field.target_field
    return _PASS_THROUGH.get(type(field))


@functools.cache
def _json_plan(
    model: type[models.Model], vendor: str, with_pk: bool
) -> tuple[tuple[models.Field, str, tuple[type, ...] | None, int], ...]:
    return tuple(
        (f, f.attname, _JSON_TYPES if _embedded(f) else _pass_through(f), _kind(f))
        for f in _inserted(model, vendor, with_pk)
    )


_PLAIN, _EMBEDDED, _AWARE = 0, 1, 2  # how `_json_rows` takes a field's value of a passing type


def _kind(field: models.Field) -> int:
    if _embedded(field):
        return _EMBEDDED
    return _AWARE if type(field) is models.DateTimeField else _PLAIN


def _json_rows(
    objs: Sequence[models.Model], model: type[models.Model], conn: Any, with_pk: bool
) -> list[list]:
    """The rows `insert` sends as JSON: each value as its field's `get_db_prep_save` gives it,
    without the two calls per value where the field would hand it back unchanged (a submission
    inserts about 160 values: its rows took 112 µs to build with the calls, 42 µs without)."""
    plan = _json_plan(model, conn.vendor, with_pk)
    rows_ = []
    for obj in objs:
        known = obj.__dict__
        row = []
        for f, attname, types, kind in plan:
            if types is not None and (
                (value := known.get(attname, _NOT_LOADED)) is None
                or (type(value) in types and (kind != _AWARE or value.utcoffset() is not None))
            ):
                row.append(value)
            elif kind == _EMBEDDED:
                # Not a plain JSON value (an expression, a JSON null marker, a deferred field):
                # the parameters' way, where the field prepares it (`_json_document`).
                raise TypeError(f"{f.name}: no JSON form for {type(known.get(attname)).__name__}")
            else:
                row.append(f.get_db_prep_save(f.pre_save(obj, True), conn))
        rows_.append(row)
    return rows_


def _json_value(value: Any) -> Any:
    """What `json.dumps` cannot write itself, as PostgreSQL reads it back from text."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, Json | Jsonb):  # a JSONField's value, written by its own encoder
        return (value.dumps or json.dumps)(value.obj)
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    raise TypeError(f"no JSON form for {type(value).__name__}")


def insert(objs: Sequence[models.Model]) -> None:
    """INSERT `objs` (instances of one model) in one statement and set their primary keys, as
    `bulk_create` would: each field's `pre_save` (auto_now and the like) and `get_db_prep_save`.

    On PostgreSQL the rows travel as ONE parameter, a JSON array of arrays, which the statement
    spreads into columns (`jsonb_array_elements`, each value cast to its column's type). So the
    statement's text is the same for any number of rows and any empty columns (prepared once per
    connection, ADR 18), and the values are encoded by `json.dumps` in C. Sending a value per
    column, or an array per column for `UNNEST`, had psycopg adapt each one in Python: about
    0.6 ms of a submission's 4 ms of CPU, its seven INSERTs sending 32 arrays.

    Elsewhere, and for a value JSON cannot carry (a float NaN, a type `_json_value` does not
    know), the values are sent as parameters: on PostgreSQL several rows as one array per column
    (`UNNEST`, as Django's `bulk_create` sends them); a single row with its NULLs written into the
    statement, since psycopg keeps the parsed form of a statement only when it has at most 50
    parameters (a case has 52 columns, a dozen of them empty when it is created)."""
    if not objs:
        return
    conn = _connection()
    model = type(objs[0])
    pk = model._meta.pk
    with_pk = objs[0].pk is not None
    head, tail = _insert_head(model, conn.vendor, with_pk)
    sql, params = None, None
    select = _json_select(model, conn.vendor, with_pk)
    if select is not None:
        document = _json_document(objs, model, conn, with_pk)
        if document is not None:
            sql, params = f"{head}SELECT {select} FROM jsonb_array_elements(%s::jsonb) AS e{tail}", [document]
    if sql is None:
        fields = _inserted(model, conn.vendor, with_pk)
        values = [[f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields] for obj in objs]
        sql, params = _parameters(model, conn.vendor, with_pk, values, head, tail)
    keys = execute(sql, params)
    for obj, (key,) in zip(objs, keys, strict=True):
        if not with_pk:
            obj.pk = convert(model, pk.name, key)
        obj._state.adding = False
        obj._state.db = conn.alias


def _json_document(
    objs: Sequence[models.Model], model: type[models.Model], conn: Any, with_pk: bool
) -> str | None:
    """The rows of `objs` as `insert`'s one JSON parameter, or None if a value has no JSON form."""
    try:
        return json.dumps(
            _json_rows(objs, model, conn, with_pk), default=_json_value, ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError):
        return None


def insert_all(groups: Sequence[Sequence[models.Model]]) -> None:
    """`insert` each group (instances of one model each, a group's model once), in ONE statement
    on PostgreSQL: every INSERT a data-modifying `WITH` of one `SELECT`, the keys of each group
    returned as an array in the order its rows went in. One round trip and one statement to
    prepare instead of a dozen: about 0.1 ms of the process's CPU and some of the database's
    for each statement saved, where a submission used to send seven.

    The rows must not name one another's generated keys (the caller fills in known keys first,
    `reserved_ids`); foreign keys are checked at commit (Django declares them deferred on
    PostgreSQL), so the order of the groups does not matter to the database. Elsewhere, and when
    a group's values cannot all travel as JSON, each group is its own `insert`, in order."""
    groups = [g for g in groups if g]
    conn = _connection()
    parts, params = [], []
    if conn.vendor == "postgresql" and len(groups) > 1:
        for i, objs in enumerate(groups):
            model = type(objs[0])
            with_pk = objs[0].pk is not None
            select = _json_select(model, conn.vendor, with_pk)
            document = _json_document(objs, model, conn, with_pk) if select is not None else None
            if document is None:
                parts = []
                break
            head, tail = _insert_head(model, conn.vendor, with_pk)
            parts.append(f"t{i} AS ({head}SELECT {select} FROM jsonb_array_elements(%s::jsonb) AS e{tail})")
            params.append(document)
    if not parts:
        for objs in groups:
            insert(objs)
        return
    pk_column = [connection.ops.quote_name(type(g[0])._meta.pk.column) for g in groups]
    arrays = ", ".join(f"ARRAY(SELECT {pk} FROM t{i})" for i, pk in enumerate(pk_column))
    ((*keys,),) = execute(f"WITH {', '.join(parts)} SELECT {arrays}", params)
    for objs, found in zip(groups, keys, strict=True):
        model = type(objs[0])
        for obj, key in zip(objs, found, strict=True):
            if obj.pk is None:
                obj.pk = convert(model, model._meta.pk.name, key)
            obj._state.adding = False
            obj._state.db = conn.alias


@functools.cache
def _sequence(model: type[models.Model], vendor: str) -> str:
    """PostgreSQL: the name of the sequence behind `model`'s generated key."""
    del vendor
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_serial_sequence(%s, %s)", [connection.ops.quote_name(table), column])
        (name,) = cur.fetchone()
    if name is None:
        raise ValueError(f"{model.__name__}: no sequence behind its key")
    return name


def reserved_ids(reserve: Sequence[tuple[type[models.Model], int]]) -> tuple[str, list[Any]] | None:
    """PostgreSQL: select-list expressions taking the next `n` generated keys of each model, one
    array each, and their parameters, to add to a statement the caller sends anyway (a key taken
    and not used is a gap, as after a rolled-back INSERT); None elsewhere (SQLite has no
    sequences: the rows are inserted one table after the other and their keys read back)."""
    conn = _connection()
    if conn.vendor != "postgresql" or not reserve:
        return None
    exprs, params = [], []
    for model, n in reserve:
        exprs.append("ARRAY(SELECT nextval(%s::regclass) FROM generate_series(1, %s::int))")
        params += [_sequence(model, conn.vendor), n]
    return ", ".join(exprs), params


def _parameters(
    model: type[models.Model], vendor: str, with_pk: bool, values: list[list[Any]], head: str, tail: str
) -> tuple[str, list[Any]]:
    """The INSERT with a parameter per value (`insert`'s docstring says when)."""
    types = _array_types(model, vendor, with_pk) if len(values) > 1 else None
    if types is not None:
        arrays = ", ".join(f"(%s)::{t}[]" for t in types)
        return f"{head}SELECT * FROM UNNEST({arrays}){tail}", [list(c) for c in zip(*values, strict=True)]
    params, tuples = [], []
    for row in values:
        tuples.append("(" + ", ".join("NULL" if v is None else "%s" for v in row) + ")")
        params.extend(v for v in row if v is not None)
    return f"{head}VALUES {', '.join(tuples)}{tail}", params
