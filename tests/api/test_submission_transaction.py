"""`POST /api/v1/cases` with `submit`: one transaction, few statements, nothing half-made.

These fail on the old path (a draft, a form save, one upload per material, a delivery choice and a
submit: ~27 transactions and ~47 statements, and a crash between them left a draft behind its key).
"""

from __future__ import annotations

import base64
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.test_cases_api import application
from yiwang.cases.models import Case, CaseMaterial, IdempotencyKey
from yiwang.core import rows
from yiwang.core.models import OutboxMessage, StoredFile

DELIVERY = {"method": "pickup"}


def _post(client, token, body, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return client.post("/api/v1/cases", body, content_type="application/json", **headers)


def test_a_submission_with_two_materials_is_one_transaction_of_at_most_12_statements(
    client, api_token, published, monkeypatch, settings
):
    settings.CALENDAR_RECHECK_SECONDS = 5  # as in production (tests recheck on every use)
    token = api_token("demo-citizen")
    body = application(published, delivery=DELIVERY)
    assert len(body["materials"]) == 2
    _post(client, token, application(published), key="warm-up")  # caches warm, as in a running server

    commits = []
    from django.db.backends.base.base import BaseDatabaseWrapper

    real_commit = BaseDatabaseWrapper.commit

    def counting_commit(self):
        commits.append(1)
        return real_commit(self)

    monkeypatch.setattr(BaseDatabaseWrapper, "commit", counting_commit)
    with CaptureQueriesContext(connection) as ctx:
        response = _post(client, token, body, key="counted")
    assert response.status_code == 201, response.content
    statements = [
        q["sql"] for q in ctx.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))
    ]
    assert len(statements) <= 12, "\n".join(statements)
    # Tests run inside a transaction, so a commit here would be an explicit one: there is none,
    # and every write happened inside the single atomic block of `submission.apply`.
    assert commits == []
    writes = [s for s in statements if s.upper().startswith(("INSERT", "UPDATE", "DELETE", "WITH"))]
    if connection.vendor == "postgresql":
        # The number with the case's and events' keys, then every row in one statement.
        assert len(writes) == 2 and len(statements) <= 4, statements
    else:  # one INSERT per table
        assert len(writes) <= 9, writes
    case = Case.objects.get(number=response.json()["number"])
    assert case.state == "submitted" and case.delivery.method == "pickup"
    assert CaseMaterial.objects.filter(case=case).count() == 2
    assert [e.action for e in case.events.order_by("seq")] == [
        "create",
        "attach_material",
        "attach_material",
        "submit",
    ]
    (message,) = OutboxMessage.objects.filter(topic="case.submit", payload__case=case.pk)
    assert message.payload["event"] == case.events.get(action="submit").pk
    # The 201 built from memory is the same as a fresh read.
    fresh = client.get(f"/api/v1/cases/{case.number}", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert response.json() == fresh


def test_the_answer_equals_a_fresh_read_for_a_window_clerk(client, api_token, published, id_number):
    token = api_token("demo-clerk")
    body = application(
        published, applicant={"name": "赵六", "id_number": id_number(seq="772"), "phone": "13812345678"}
    )
    response = _post(client, token, body)
    assert response.status_code == 201, response.content
    fresh = client.get(f"/api/v1/cases/{response.json()['number']}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.json() == fresh.json()


def test_a_failure_inside_the_transaction_leaves_nothing_and_the_retry_submits(
    client, api_token, published, monkeypatch, media
):
    token = api_token("demo-citizen")
    before = (Case.objects.count(), StoredFile.objects.count(), OutboxMessage.objects.count())

    real_insert_all = rows.insert_all

    def crash(groups):  # every row of the case is written, the commit never comes
        real_insert_all(groups)
        assert IdempotencyKey.objects.filter(key="k-crash").exists()  # written, not committed
        raise RuntimeError("the server dies half way")

    with monkeypatch.context() as m:
        m.setattr(rows, "insert_all", crash)
        assert _post(client, token, application(published), key="k-crash").status_code == 500
    assert (Case.objects.count(), StoredFile.objects.count(), OutboxMessage.objects.count()) == before
    assert not IdempotencyKey.objects.filter(key="k-crash").exists()
    # No orphan bytes: every file on disk is named by a row that committed.
    on_disk = {p.name for p in (media / "files").rglob("*") if p.is_file()}
    assert on_disk == {f.id.hex for f in StoredFile.objects.all()}
    retry = _post(client, token, application(published), key="k-crash")
    assert retry.status_code == 201 and retry.json()["state"] == "submitted"
    again = _post(client, token, application(published), key="k-crash")
    assert again.status_code == 200 and again.json()["number"] == retry.json()["number"]
    assert Case.objects.filter(entry=published).count() == 1


def test_an_application_with_problems_keeps_a_draft_but_not_the_key(client, api_token, published):
    token = api_token("demo-citizen")
    bad = _post(client, token, application(published, form_data={"shop_name": "好味道"}), key="k-fix")
    assert bad.status_code == 422 and "area" in bad.json()["fields"]
    draft = Case.objects.get(draft_key=bad.json()["draft"])
    assert draft.state == "draft" and draft.form_data["shop_name"] == "好味道" and draft.number is None
    assert draft.materials.count() == 2  # the good files are kept with the draft
    fixed = _post(client, token, application(published), key="k-fix")
    assert fixed.status_code == 201 and fixed.json()["state"] == "submitted"


def test_nobody_applies_for_an_enterprise_they_do_not_act_for(client, api_token, published):
    response = _post(
        client, api_token("demo-citizen2"), application(published, enterprise="91159902MA0Q1234X0")
    )
    assert response.status_code == 422 and "enterprise" in response.json()["fields"]
    assert not Case.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_key_at_once_makes_one_case(published, users):
    """Four requests with one key race: one case, and every request answers it."""
    from django.db import connections

    from yiwang.cases import submission
    from yiwang.catalog.models import Entry

    user = users["demo-citizen"]
    barrier = threading.Barrier(4)
    results: list = [None] * 4

    def run(i):
        try:
            entry = Entry.objects.select_related("published", "department__division").get(pk=published.pk)
            body = application(published)
            app = submission.ApplicationIn(
                entry=entry,
                form_data=body["form_data"],
                files=[
                    submission.FileIn(m["material"], "", m["filename"], base64.b64decode(m["content_base64"]))
                    for m in body["materials"]
                ],
            )
            barrier.wait()
            results[i] = submission.apply(user, app, idempotency_key="same")[0].pk
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Case.objects.filter(entry=published).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_entry_to_apply_is_kept_until_the_catalog_changes(published):
    """Outside a transaction the entry's row is read once per catalog generation (each call
    still builds its own instances); a change of status through the catalog's services is seen
    by the next submission at once; inside a transaction the row is read, never kept."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from yiwang.cases.published import entry_to_apply
    from yiwang.catalog import services as catalog
    from yiwang.catalog.models import EntryStatus

    def entry_reads(seen) -> int:
        return sum(1 for q in seen.captured_queries if "catalog_entry" in q["sql"])

    assert entry_to_apply(published.code).status == EntryStatus.ACTIVE  # read, and kept
    with CaptureQueriesContext(connection) as seen:
        first, second = entry_to_apply(published.code), entry_to_apply(published.code)
    assert entry_reads(seen) == 0
    assert first.pk == published.pk and first.published_id == published.published_id
    assert first is not second and first.department is not second.department
    with transaction.atomic():
        catalog.set_entry_status(published, None, EntryStatus.SUSPENDED, "暂停受理，测试")
    assert entry_to_apply(published.code).status == EntryStatus.SUSPENDED
    with transaction.atomic(), CaptureQueriesContext(connection) as seen:
        entry_to_apply(published.code)
        entry_to_apply(published.code)
    assert entry_reads(seen) == 2
    assert entry_to_apply("no-such-code") is None
