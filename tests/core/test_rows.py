"""The hand-written statements of the hot paths (`core.rows`) behave as the ORM does, on SQLite and
PostgreSQL alike: values in through each field's preparation, out through its converters."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import DataError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yiwang.accounts.models import Person, User
from yiwang.accounts.services import user_for_token
from yiwang.cases import published as published_parts
from yiwang.cases.published import entry_to_apply
from yiwang.catalog.models import Entry
from yiwang.core import rows
from yiwang.core.models import Department, OutboxMessage, StoredFile
from yiwang.licences.models import SealKey

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_insert_then_the_orm_reads_the_same_values():
    at = timezone.now().replace(microsecond=123456)
    messages = [
        OutboxMessage(topic="t.one", payload={"名称": "甲", "n": [1, 2.5, None], "ok": True}, created_at=at),
        OutboxMessage(topic="t.two", payload={}, available_at=at + dt.timedelta(hours=1)),
    ]
    rows.insert(messages)
    assert all(m.pk is not None and not m._state.adding for m in messages)
    for m in messages:
        assert _fields(OutboxMessage.objects.get(pk=m.pk)) == _fields(m)


_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payloads=st.lists(_JSON.filter(lambda value: value is not None), min_size=1, max_size=3),
    topic=_TEXT,
    size=st.integers(0, 2**31 - 1),
)
def test_any_json_text_and_number_round_trips(payloads, topic, size):
    """On PostgreSQL the rows travel as one JSON document read back column by column: whatever a
    JSON field holds (escapes, quotes, non-ASCII, numbers of every size), a text or an integer
    reads back as what the ORM's own INSERT stores (a JSON column keeps a float of 2**55 as the
    integer its decimal text names, through the ORM as well)."""
    with transaction.atomic():
        messages = [OutboxMessage(topic=topic, payload=p) for p in payloads]
        rows.insert(messages)
        for m in messages:
            by_orm = OutboxMessage.objects.create(topic=topic, payload=m.payload)
            stored, expected = (OutboxMessage.objects.get(pk=pk) for pk in (m.pk, by_orm.pk))
            assert (stored.topic, stored.payload) == (expected.topic, expected.payload)
        file = StoredFile(id=uuid.uuid4(), original_name=topic, kind="pdf", size=size, sha256="0" * 64)
        rows.insert([file])
        assert StoredFile.objects.values_list("original_name", "size").get(pk=file.pk) == (topic, size)
        transaction.set_rollback(True)


def test_a_json_null_marker_goes_as_parameters_and_stays_a_json_null():
    """A JSON field's value that is not plain JSON (here Django's JSON null, `Value(None,
    JSONField())`) cannot travel inside the row: the parameters carry it, the field prepares it,
    and it reads back as the ORM's own INSERT stores it."""
    from django.db.models import JSONField, Value

    message = OutboxMessage(topic="t.null", payload=Value(None, JSONField()))
    with CaptureQueriesContext(connection) as seen:
        rows.insert([message])
    assert "_array_elements" not in seen.captured_queries[0]["sql"]
    by_orm = OutboxMessage.objects.create(topic="t.null", payload=Value(None, JSONField()))
    assert OutboxMessage.objects.filter(pk__in=[message.pk, by_orm.pk], payload__isnull=True).count() == 0
    assert [OutboxMessage.objects.get(pk=pk).payload for pk in (message.pk, by_orm.pk)] == [None, None]


def test_rows_with_different_empty_columns_round_trip_in_one_statement():
    """Each row's NULLs differ (a single row writes them into the statement, several rows go as
    one array per column on PostgreSQL): the ORM reads back exactly what was inserted."""
    at = timezone.now().replace(microsecond=5)
    batches = [
        [OutboxMessage(topic="solo", payload={"a": None}, claimed_until=None, done_at=at)],
        [
            OutboxMessage(topic="x", payload={"k": "值"}, claimed_until=at, claimed_by="w1"),
            OutboxMessage(topic="y", payload={}, done_at=at + dt.timedelta(seconds=1)),
            OutboxMessage(topic="z", payload={"n": [None]}, claimed_until=at, done_at=at),
        ],
    ]
    for batch in batches:
        with CaptureQueriesContext(connection) as seen:
            rows.insert(batch)
        assert len(seen.captured_queries) == 1
        for m in batch:
            assert _fields(OutboxMessage.objects.get(pk=m.pk)) == _fields(m)
    keys = [m.pk for batch in batches for m in batch]
    assert keys == sorted(keys) and len(set(keys)) == 4  # each row got its own key, in order


def test_a_given_primary_key_is_kept_and_uuids_round_trip():
    key = uuid.uuid4()
    stored = StoredFile(
        id=key, original_name="证明.pdf", content_type="application/pdf", kind="pdf", size=3, sha256="a" * 64
    )
    rows.insert([stored])
    assert stored.pk == key and isinstance(stored.pk, uuid.UUID)
    assert _fields(StoredFile.objects.get(pk=key)) == _fields(stored)


def test_bytes_dates_and_empty_columns_round_trip(region):
    """A seal key: binary columns, time stamps, a foreign key and NULLs, as the ORM reads them."""
    key = SealKey(
        department=Department.objects.first(),
        kid="0123456789abcdef",
        public_key=bytes(range(256)) + b"\\x00\\",
        private_sealed=b"",
        valid_until=timezone.now() + dt.timedelta(days=1),
        withdrawn_reason='理由 \\ "引号" \n 换行',
    )
    rows.insert([key])
    again = SealKey.objects.get(pk=key.pk)
    assert bytes(again.public_key) == key.public_key and bytes(again.private_sealed) == b""
    assert {k: v for k, v in _fields(again).items() if "key" not in k and "sealed" not in k} == {
        k: v for k, v in _fields(key).items() if "key" not in k and "sealed" not in k
    }


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite does not enforce a text's length")
def test_an_over_long_text_is_refused_as_by_the_orm_never_cut():
    with pytest.raises(DataError), transaction.atomic():
        rows.insert([OutboxMessage(topic="t" * 65, payload={})])
    with pytest.raises(DataError), transaction.atomic():
        rows.insert([OutboxMessage(topic="ok", payload={}), OutboxMessage(topic="t" * 65, payload={})])
    assert not OutboxMessage.objects.exists()


def test_a_value_json_cannot_carry_goes_as_parameters(monkeypatch):
    """The parameter path (SQLite's, and PostgreSQL's for a value `_json_value` does not know)."""

    def refuse(value):
        raise TypeError("no JSON form")

    monkeypatch.setattr(rows, "_json_value", refuse)
    at = timezone.now()
    batch = [OutboxMessage(topic="a", payload={"k": 1}, done_at=at), OutboxMessage(topic="b", payload={})]
    with CaptureQueriesContext(connection) as seen:
        rows.insert(batch)
    assert len(seen.captured_queries) == 1 and "_array_elements" not in seen.captured_queries[0]["sql"]
    for m in batch:
        assert _fields(OutboxMessage.objects.get(pk=m.pk)) == _fields(m)


def test_build_equals_the_orm_instance_and_an_outer_join_miss_is_none():
    rows.insert([OutboxMessage(topic="t", payload={"a": 1})])
    qn = connection.ops.quote_name
    table = qn(OutboxMessage._meta.db_table)
    found = rows.fetch(
        f"SELECT {rows.columns(OutboxMessage, 'o')}, {rows.columns(Person, 'p')} FROM {table} o "
        f"LEFT JOIN {qn(Person._meta.db_table)} p ON p.{qn('id')} = -1 ORDER BY o.{qn('id')} DESC",
        [],
    )
    built = rows.build(OutboxMessage, found)
    assert _fields(built) == _fields(OutboxMessage.objects.order_by("-pk").first())
    assert rows.build(Person, found, rows.width(OutboxMessage)) is None


def test_a_built_instance_behaves_as_one_the_orm_loaded(demo_region):
    """`build` fills the instance's dict without `Model.__init__`: it must still be a loaded row
    (save updates it, a foreign key loads its object, deferred nothing), and with a pre_init or
    post_init receiver for the model it goes through `from_db`, so the receiver runs."""
    from django.db.models.signals import post_init

    person = Person.objects.first()
    qn = connection.ops.quote_name
    sql = f"SELECT {rows.columns(Person, 'p')} FROM {qn(Person._meta.db_table)} p WHERE p.{qn('id')} = %s"
    built = rows.build(Person, rows.fetch(sql, [person.pk]))
    assert built == person and _fields(built) == _fields(person)
    assert built._state.adding is False and built._state.db == "default"
    assert built.get_deferred_fields() == set()
    if built.user_id is not None:
        assert built.user == person.user
    built.phone = "13900000000"
    with CaptureQueriesContext(connection) as seen:
        built.save(update_fields=["phone"])
    assert len(seen.captured_queries) == 1 and seen.captured_queries[0]["sql"].startswith("UPDATE")
    assert Person.objects.get(pk=person.pk).phone == "13900000000"

    seen_init = []

    def receiver(sender, instance, **kwargs):
        seen_init.append(instance)

    post_init.connect(receiver, sender=Person)
    try:
        again = rows.build(Person, rows.fetch(sql, [person.pk]))
    finally:
        post_init.disconnect(receiver, sender=Person)
    assert seen_init == [again]


def test_a_token_brings_its_account_and_profile_in_one_statement(demo_region, api_token):
    token = api_token("demo-citizen")
    with CaptureQueriesContext(connection) as queries:
        user = user_for_token(token)
        assert user is not None and user.username == "demo-citizen"
        assert user.person.name  # loaded with the token: no second read
        assert not hasattr(user, "enterprise")  # known absent: no read either
    assert len([q for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]) == 1
    assert _fields(user) == _fields(User.objects.get(pk=user.pk))
    assert _fields(user.person) == _fields(Person.objects.get(user=user))


def test_an_expired_or_unknown_token_finds_nobody(demo_region, api_token):
    token = api_token("demo-citizen")
    assert user_for_token(token + "x") is None
    User.objects.filter(username="demo-citizen").update(is_active=False)
    assert user_for_token(token) is None


def test_the_entry_to_apply_is_the_orm_entry_with_its_published_version(published):
    entry = Entry.objects.select_related("department__division").get(pk=published.pk)
    found = entry_to_apply(entry.code)
    assert _fields(found) == _fields(entry)
    assert found.department.division.code == entry.department.division.code
    assert found.published.pk == entry.published_id
    assert published_parts.published(found.published).version_id == entry.published_id
    assert entry_to_apply("NO-SUCH-CODE") is None


def test_a_subset_of_columns_builds_an_instance_whose_other_fields_are_deferred():
    at = timezone.now().replace(microsecond=42)
    message = OutboxMessage(topic="part", payload={"名": "甲"}, claimed_until=at, claimed_by="w9")
    rows.insert([message])
    only = ("topic", "claimed_until")
    qn = connection.ops.quote_name
    sql = f"SELECT {rows.columns(OutboxMessage, 'm', only)} FROM {qn(OutboxMessage._meta.db_table)} m WHERE m.id = %s"
    assert rows.width(OutboxMessage, only) == 3  # the primary key always comes along
    built = rows.build(OutboxMessage, rows.fetch(sql, [message.pk]), only=only)
    assert (built.pk, built.topic, built.claimed_until) == (message.pk, "part", at)
    every = {f.attname for f in OutboxMessage._meta.concrete_fields}
    assert built.get_deferred_fields() == every - {"id", "topic", "claimed_until"}
    with CaptureQueriesContext(connection) as seen:
        assert built.claimed_by == "w9"  # a deferred field loads, as after only()
    assert len(seen.captured_queries) == 1
    with pytest.raises(ValueError, match="not every name"):
        rows.columns(OutboxMessage, "m", ("topic", "not_a_column"))


def _prepared_by_each_field(objs, model) -> list[list]:
    """Each value as its field prepares it; a JSON field's, which the rows carry as JSON of their
    own, as the value its prepared JSON document holds."""

    def prepared(f, o):
        value = f.get_db_prep_save(f.pre_save(o, True), connection)
        return value.obj if rows._embedded(f) and value is not None else value

    return [[prepared(f, o) for f in rows._inserted(model, "postgresql", False)] for o in objs]


def _odd_values(model):
    """An instance whose values are of a type near the field's own, so the field must convert."""
    from django.db import models
    from django.utils.safestring import mark_safe

    obj = model()
    for f in rows._inserted(model, "postgresql", False):
        if f.is_relation or f.primary_key:
            continue
        if isinstance(f, models.BooleanField):
            setattr(obj, f.attname, 1)  # an int where a bool belongs
        elif isinstance(f, models.IntegerField):
            setattr(obj, f.attname, "7")  # text where an int belongs
        elif isinstance(f, models.CharField | models.TextField) and not f.choices:
            setattr(obj, f.attname, mark_safe("文字"))  # a str subclass
        elif isinstance(f, models.DateTimeField):
            setattr(obj, f.attname, dt.datetime(2026, 3, 4, 5, 6, 7))  # naive: made aware
        elif isinstance(f, models.DateField):
            # A datetime where a date belongs: the field takes its date in the current time zone.
            setattr(obj, f.attname, dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC))
    return obj


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the JSON rows are PostgreSQL's")
@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
def test_the_json_rows_hold_what_each_field_prepares_for_every_model():
    """`insert`'s shortcut (a value of the field's own type passes as it is) writes the JSON the
    fields' own `get_db_prep_save` would, for every model, with defaults and with near-miss types."""
    import json
    import re

    from django.apps import apps

    stamp = re.compile(r'"\d{4}-\d\d-\d\dT[\d:.]+\+00:00"')  # auto_now stamps differ by the call
    checked = 0
    for model in apps.get_models():
        if (
            model._meta.proxy
            or not model._meta.managed
            or rows._json_select(model, "postgresql", False) is None
        ):
            continue
        objs = [model(), _odd_values(model)]
        ours = json.dumps(
            rows._json_rows(objs, model, connection, False), default=rows._json_value, ensure_ascii=False
        )
        theirs = json.dumps(
            _prepared_by_each_field(objs, model), default=rows._json_value, ensure_ascii=False
        )
        assert stamp.sub("T", ours) == stamp.sub("T", theirs), model.__name__
        checked += 1
    assert checked > 30


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the JSON rows are PostgreSQL's")
def test_a_value_of_a_near_type_is_converted_by_its_field_on_the_way_in():
    from django.utils.safestring import mark_safe

    from yiwang.core.models import OutboxDelivery

    message = OutboxMessage(topic="t.odd", payload={})
    rows.insert([message])
    delivery = OutboxDelivery(message=message, subscriber=mark_safe("甲"), state="failed", attempts="3")
    rows.insert([delivery])
    stored = OutboxDelivery.objects.get(pk=delivery.pk)
    assert (stored.subscriber, stored.attempts, type(stored.attempts)) == ("甲", 3, int)


def test_insert_all_writes_every_group_in_one_statement_on_postgresql():
    """Several tables' rows in one statement (PostgreSQL; one per table elsewhere), each row's
    generated key set in the order the rows went in, a given key kept."""
    at = timezone.now()
    messages = [OutboxMessage(topic=f"t.{i}", payload={"i": i}, created_at=at) for i in range(3)]
    files = [
        StoredFile(id=uuid.uuid4(), original_name=f"{i}.pdf", kind="pdf", size=i, sha256="0" * 64)
        for i in range(2)
    ]
    given = [OutboxMessage(pk=10_000_001, topic="t.given", payload={})]
    with CaptureQueriesContext(connection) as ctx:
        rows.insert_all([messages, [], files, given])
    assert len(ctx.captured_queries) == (1 if connection.vendor == "postgresql" else 3)
    for m in (*messages, *given):
        assert not m._state.adding
        assert OutboxMessage.objects.get(pk=m.pk).payload == m.payload
    assert [m.pk for m in messages] == sorted(m.pk for m in messages)
    assert given[0].pk == 10_000_001
    assert sorted(StoredFile.objects.filter(pk__in=[f.pk for f in files]).values_list("size", flat=True)) == [
        0,
        1,
    ]


def test_insert_all_falls_back_to_one_insert_per_table_for_a_value_json_cannot_carry(monkeypatch):
    def refuse(value):
        raise TypeError("no JSON form")

    monkeypatch.setattr(rows, "_json_value", refuse)  # every row has a datetime
    messages = [OutboxMessage(topic="t.a", payload={"x": 1}), OutboxMessage(topic="t.b", payload={})]
    files = [StoredFile(id=uuid.uuid4(), original_name="a.pdf", kind="pdf", size=1, sha256="0" * 64)]
    with CaptureQueriesContext(connection) as ctx:
        rows.insert_all([messages, files])
    assert len(ctx.captured_queries) == 2
    assert not any("_array_elements" in q["sql"] for q in ctx.captured_queries)
    for m in messages:
        assert _fields(OutboxMessage.objects.get(pk=m.pk)) == _fields(m)
    assert StoredFile.objects.filter(pk=files[0].pk).exists()


def test_reserved_keys_are_distinct_and_used_by_the_rows_that_take_them():
    reserved = rows.reserved_ids([(OutboxMessage, 3), (Department, 1)])
    if connection.vendor != "postgresql":
        assert reserved is None
        return
    exprs, params = reserved
    ((ours, department),) = rows.execute(f"SELECT {exprs}", params)
    assert len(set(ours)) == 3 and len(department) == 1
    (again,) = rows.execute(f"SELECT {exprs}", params)[0][:1]
    assert not set(ours) & set(again)
    messages = [OutboxMessage(pk=pk, topic="t.r", payload={}) for pk in ours]
    rows.insert_all([messages, [OutboxMessage(topic="t.after", payload={})]])
    assert sorted(OutboxMessage.objects.filter(topic="t.r").values_list("pk", flat=True)) == sorted(ours)


def test_new_makes_what_init_makes_for_every_model():
    """`rows.new(model, **values)` gives the instance `model(**values)` gives: every field's
    default (a default made per instance, such as a time stamp or a fresh dict, made anew), a
    related object set through its descriptor, a key by its attname, a new instance's state."""
    from django.apps import apps

    from yiwang.core.models import OutboxDelivery

    checked = 0
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        ours, theirs = rows.new(model), model()
        made = {attname for _name, attname, _factory in rows._blank(model)[1]}
        mine = {k: v for k, v in ours.__dict__.items() if k != "_state"}
        init = {k: v for k, v in theirs.__dict__.items() if k != "_state"}
        assert mine.keys() == init.keys(), model.__name__
        for key, value in mine.items():
            if key in made:
                assert type(value) is type(init[key]), (model.__name__, key)
                assert value is not init[key] or value is None
            else:
                assert value == init[key], (model.__name__, key)
        assert ours._state.adding and ours._state.db is None
        checked += 1
    assert checked > 30

    message = OutboxMessage.objects.create(topic="t.new", payload={})
    by_new = rows.new(OutboxDelivery, message=message, subscriber="甲", attempts=2)
    by_init = OutboxDelivery(message=message, subscriber="甲", attempts=2)
    assert (by_new.message_id, by_new.subscriber, by_new.attempts) == (message.pk, "甲", 2)
    assert by_new.message is message and by_init.message is message  # cached, no query
    assert rows.new(OutboxDelivery, message_id=message.pk).message_id == message.pk
    with pytest.raises(ValueError):
        rows.new(OutboxDelivery, message=Person())  # the descriptor checks the type, as in __init__
    with pytest.raises(TypeError):
        rows.new(OutboxDelivery, not_a_field=1)


def test_new_leaves_a_model_with_init_signals_to_init():
    from django.db.models.signals import post_init

    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=OutboxMessage)
    try:
        made = rows.new(OutboxMessage, topic="t.signal", payload={})
    finally:
        post_init.disconnect(receiver, sender=OutboxMessage)
    assert seen == [made] and made.topic == "t.signal"
