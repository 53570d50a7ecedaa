"""Schemathesis over /api/v1/openapi.json, through the WSGI app, as a citizen (bearer token), a
window clerk and signed out: no answer is a server error, and every answer is one the OpenAPI
document declares, with the declared content type, headers and body.

Bounded for `make test` (a fixed seed, `YIWANG_FUZZ_EXAMPLES` examples per operation and role,
10 by default); by hand, more: `YIWANG_FUZZ_EXAMPLES=200 .venv/bin/pytest tests/api/test_fuzz.py`.
Path parameters are sometimes a real object of the demo data (the citizen's case and draft, a
material, a notice, a published entry, a department), so the fuzzer reaches past the 404s.
"""

from __future__ import annotations

import os
import threading

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("YIWANG_FUZZ_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ROLES = {"citizen": "demo-citizen", "clerk": "demo-clerk", "signed_out": None}

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

# Real objects for path parameters, filled by the `world` fixture of the running test.
KNOWN: dict[str, list] = {}
# Requests sent per role, for the summary at the end of a run (`-s` shows it).
SENT: dict[str, int] = {}
_lock = threading.Lock()


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    if not path_parameters:
        return st.just(path_parameters)
    options = [st.just(path_parameters)]
    for name, values in KNOWN.items():
        if name in path_parameters and values:
            options.append(st.sampled_from(values).map(lambda v, n=name: {**path_parameters, n: v}))
    return st.one_of(*options)


@pytest.fixture
def world(demo_region, submitted, published, users, media, food_type, seal_key):
    """The citizen's submitted case (with materials) and draft, a notice, a licence, real ids and codes."""
    import datetime as dt

    from yiwang.cases import drafts
    from yiwang.licences import issuing
    from yiwang.notices.models import Notice

    case = submitted()
    person = users["demo-citizen"].person
    licence = issuing.issue(
        licence_type=food_type,
        issuer=published.department,
        holder=issuing.person_holder(person),
        data={"operator": person.name, "shop_name": "好味道小吃"},
        issued_on=dt.date(2026, 11, 2),
    )
    draft = drafts.start_application(users["demo-citizen"], published)
    notice = Notice.objects.create(user=users["demo-citizen"], key="fuzz", title="t", body="b", link="/")
    KNOWN.clear()
    KNOWN.update(
        number=[case.number, str(draft.draft_key)],
        material_id=list(case.materials.values_list("pk", flat=True)[:2]),
        notice_id=[notice.pk],
        code=[published.code, "159900"],
        department_id=[published.department_id],
        identifier=[licence.identifier],
        issuer_code=[published.department.uscc],
    )
    yield
    KNOWN.clear()


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Django closes the database connection after each request it handles; the test client does
    not let it, and neither may the WSGI app called here (the test's transaction lives on it)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db):
    from yiwang.accounts.models import User
    from yiwang.accounts.services import issue_api_token

    tokens: dict[str, str] = {}

    def headers(username: str | None) -> dict[str, str]:
        if username is None:
            return {}
        if username not in tokens:
            tokens[username] = issue_api_token(User.objects.get(username=username))
        return {"Authorization": f"Bearer {tokens[username]}"}

    return headers


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    if SENT:
        print(f"\nfuzzed {sum(SENT.values())} requests: {SENT}")


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, not shrunk
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_as_documented(case, role, world, bearer):
    case.call_and_validate(headers=bearer(ROLES[role]), checks=CHECKS)
    with _lock:
        SENT[role] = SENT.get(role, 0) + 1
