"""The access matrix, generated from the URL map and the API's operations: every role × every route
that names an object × an object of that kind the role must not see → 404.

Never 200, and never an answer that tells a foreign object from one that does not exist: any other
answer (the 403 of a staff page the role does not open, a redirect to the role's own start page, a
405) must be exactly what the role gets for an object that does not exist.

The routes are found by walking `get_resolver()` and the NinjaAPI's operations, so a new route is
covered as soon as it exists: a route with a path parameter must be public (`PUBLIC`) or have a
generator of a foreign object (`KINDS`), else `test_every_object_route_has_a_generator` fails.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from case_fixtures import FORM_DATA
from catalog.guide_samples import PDF, db_document, store_pdf
from yiwang.cases import access, drafts

API_PREFIX = "/api/v1"

ROLES = {
    "citizen A": "demo-citizen",
    "citizen B": "demo-citizen2",
    "enterprise": "demo-enterprise",
    "window clerk (city hall)": "demo-clerk",
    "window clerk (城关区)": "demo-clerk-chengguan",
    "reviewer (market)": "demo-reviewer",
    "approver (market)": "demo-approver",
    "supervisor": "demo-supervisor",
    "admin": "demo-admin",
}

# The case each role must not see (keys of the `world` below). Supervisors and administrators see
# every submitted case of the city: theirs is an applicant's draft, which only its applicant sees.
FOREIGN_CASE = {
    "citizen A": "b_civil",
    "citizen B": "a_market",
    "enterprise": "a_market",
    "window clerk (city hall)": "district_window",
    "window clerk (城关区)": "b_civil",
    "reviewer (market)": "b_civil",
    "approver (market)": "b_civil",
    "supervisor": "a_draft",
    "admin": "a_draft",
}

# Routes whose object is public (or not an object of anyone's): not part of the matrix.
PUBLIC = {
    "portal:guide": "a published guide",
    "portal:guide-pdf": "a published guide",
    "portal:topic": "a topic of the catalog",
    "portal:department": "a department's public list",
    "portal:case-start": "starting an application for a published entry (the code is public)",
    "GET /items/{code}": "a published guide",
    "GET /divisions/{code}": "a division",
    "GET /departments/{department_id}": "a department",
    "oauth2_provider:oauth-server-metadata-issuer": "the OpenID provider's public metadata",
    "oauth2_provider:oauth-resource-metadata-path": "the OpenID provider's public metadata",
    "portal:licence-shared": "a share link: its token is the holder's grant to whoever has it",
    "GET /licences/{identifier}/verification": "verification is public; its answer masks the holder",
    "GET /licences/status-lists/{issuer_code}": "an issuer's signed status list is public",
    "PUT /supervision/rules/{code}": "a rule of the platform: administrators set it, others get 403",
    "GET /stats/by/{dimension}": "a dimension's name, not an object: the figures are the reader's reach",
    "portal:bundle": "a published bundle's guide",
    "portal:bundle-pdf": "a published bundle's guide",
    "portal:bundle-apply": "applying for a published bundle (the code is public)",
    "GET /bundles/{code}": "a published bundle's guide",
    "POST /bundles/{code}/applications": "applying for a published bundle (the code is public)",
    "workbench:search-miss-fix": "a citizen's unanswered search (the platform's, no one's own): "
    "every item administrator handles any, other staff get 403",
    "workbench:search-phrase-forget": "an everyday phrase taught to the platform's search (no one's own)",
}
# URL prefixes outside the matrix: the Django admin (its own staff gate: everyone else is sent to
# sign in), the API (its operations are walked instead), language switching, static files.
SKIPPED_PREFIXES = ("admin/", "api/", "i18n/", "static/", "media/")

# Parameter sets → the kind of foreign object that fills them.
KINDS = {
    frozenset({"ref"}): "case",
    frozenset({"ref", "received_id"}): "case",
    frozenset({"ref", "document_id"}): "case",
    frozenset({"number"}): "case",
    frozenset({"number", "received_id"}): "case",
    frozenset({"number", "material_id"}): "case",
    frozenset({"number", "document_id"}): "case",
    frozenset({"key"}): "window_draft",
    frozenset({"key", "received_id"}): "window_draft",
    frozenset({"entry_id"}): "entry",
    frozenset({"entry_id", "seq"}): "entry",
    frozenset({"entry_id", "number"}): "entry",
    frozenset({"entry_id", "file_id"}): "entry",
    frozenset({"claim_id"}): "claim",
    frozenset({"notice_id"}): "notice",
    frozenset({"file_id"}): "guide_file",
    frozenset({"pk"}): "oauth_token",
    frozenset({"client_id", "user_code"}): "device_grant",
    frozenset({"identifier"}): "licence",
    frozenset({"identifier", "share_id"}): "licence",
    frozenset({"type_id"}): "licence_type",
    frozenset({"department_id"}): "seal",
    frozenset({"kid"}): "seal",
    frozenset({"rating_id"}): "rating",
    frozenset({"ref", "rating_id"}): "rating",
    frozenset({"follow_up_id"}): "rating",
    frozenset({"appeal_id"}): "rating",
    frozenset({"warning_id"}): "supervision",
    frozenset({"order_id"}): "supervision",
    frozenset({"code"}): "bundle",
}

# Values that name nothing, for the answer a role gets for an object that does not exist.
MISSING = {
    "ref": "0",
    "number": "0",
    "received_id": 2_000_000_001,
    "material_id": 2_000_000_001,
    "document_id": 2_000_000_001,
    "key": str(uuid.UUID(int=1)),
    "entry_id": 2_000_000_001,
    "seq": 1,
    "file_id": str(uuid.UUID(int=2)),
    "claim_id": 2_000_000_001,
    "notice_id": 2_000_000_001,
    "pk": 2_000_000_001,
    "client_id": "no-such-client",
    "user_code": "NOSUCHCODE",
    "identifier": "11150100MB0000000X001000000199001",
    "share_id": 2_000_000_001,
    "type_id": 2_000_000_001,
    "department_id": 2_000_000_001,
    "kid": "00" * 8,
    "rating_id": 2_000_000_001,
    "follow_up_id": 2_000_000_001,
    "appeal_id": 2_000_000_001,
    "warning_id": 2_000_000_001,
    "order_id": 2_000_000_001,
    "code": "no-such-bundle",
}

# Valid bodies of the API operations that take one (a body that does not validate would be
# refused with 422 before the object is looked up, which proves nothing).
API_BODIES = {
    "PUT /cases/{number}/form": {"json": {"form_data": {}}},
    "PUT /cases/{number}/delivery": {"json": {"method": "pickup"}},
    "POST /cases/{number}/actions": {"json": {"action": "accept"}},
    "POST /cases/{number}/tracking": {"json": {"status": "signed", "description": "已签收"}},
    "POST /cases/{number}/materials": {"file": ("a.pdf", PDF)},
    "POST /cases/{number}/licences": {"json": {"material": 1, "identifier": "x"}},
    "PUT /cases/{number}/licence-draft": {"json": {"data": {}}},
    "POST /licences/{identifier}/shares": {"json": {"days": 7}},
    "POST /licences/{identifier}/status": {"json": {"action": "suspend", "reason": "测试"}},
    "POST /licences/{identifier}/versions": {"json": {"reason": "测试"}},
    "POST /cases/{number}/rating": {"json": {"level": 5}},
    "POST /ratings/{rating_id}/rectification": {"json": {"view": "satisfied"}},
    "POST /ratings/{rating_id}/appeal": {"json": {"kind": "malicious", "reasons": "测试"}},
    "POST /ratings/follow-ups/{follow_up_id}/steps": {
        "json": {"step": "verify", "method": "phone", "finding": "founded", "note": "测试"}
    },
    "POST /ratings/appeals/{appeal_id}/ruling": {"json": {"upheld": True, "reason": "测试"}},
    "POST /supervision/warnings/{warning_id}/answer": {"json": {"reason": "测试", "action": "测试"}},
    "POST /supervision/orders/{order_id}/report": {"json": {"report": "测试"}},
    "POST /bundles/applications/{key}/rating": {"json": {"level": 5}},
}


@dataclass
class Route:
    label: str  # the URL name (namespace:name) of a page, or "METHOD /path" of an API operation
    template: str  # the path with <name> placeholders
    params: frozenset[str]
    api_method: str | None = None
    takes_body: bool = False
    notes: list[str] = field(default_factory=list)

    def path(self, values: dict) -> str:
        return "/" + re.sub(r"<(\w+)>", lambda m: str(values[m.group(1)]), self.template)


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}" if p.name else None


def page_routes() -> list[Route]:
    routes = []
    for template, name in _walk(get_resolver().url_patterns):
        if template.startswith(SKIPPED_PREFIXES) or template.startswith("^"):
            continue
        params = re.findall(r"<(?:\w+:)?(\w+)>", template)
        if params:
            plain = re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", template)
            routes.append(Route(name or template, plain, frozenset(params)))
    return routes


def api_routes() -> list[Route]:
    from yiwang.api.router import api

    routes = []
    for bound in api._get_bound_routers():
        for path, view in bound.path_operations.items():
            params = frozenset(re.findall(r"{(\w+)}", path))
            if not params:
                continue
            for operation in view.operations:
                sources = {getattr(m, "__ninja_param_source__", None) for m in operation.models}
                for method in operation.methods:
                    routes.append(
                        Route(
                            f"{method} {path}",
                            (API_PREFIX + re.sub(r"{(\w+)}", r"<\1>", path)).lstrip("/"),
                            params,
                            api_method=method,
                            takes_body=bool(sources & {"body", "form", "file"}),
                        )
                    )
    return routes


def object_routes() -> list[Route]:
    return [r for r in page_routes() + api_routes() if r.label not in PUBLIC]


def test_every_object_route_has_a_generator():
    routes = object_routes()
    missing = [f"{r.label} {sorted(r.params)}" for r in routes if r.params not in KINDS]
    assert not missing, "routes naming an object with no generator of a foreign one: " + ", ".join(missing)
    bodies = [r.label for r in routes if r.takes_body and r.label not in API_BODIES]
    assert not bodies, f"API operations with a body and no valid body for the matrix: {bodies}"
    assert {"workbench:case-detail", "portal:case", "GET /cases/{number}"} <= {r.label for r in routes}


# --- The objects ---------------------------------------------------------------------------------


def _apply(user, entry, enterprise=None, submit=True):
    case = drafts.start_application(user, entry, enterprise=enterprise)
    drafts.save_form(user, case, FORM_DATA)
    for item in drafts.checklist(case):
        drafts.attach_material(user, case, item.material.pk, PDF, "a.pdf")
    return drafts.submit(user, case) if submit else case


def _window_draft(clerk, entry, id_number):
    case = drafts.start_window_intake(clerk, entry, id_number=id_number, name="钱七")
    drafts.save_form(clerk, case, FORM_DATA)
    for item in drafts.checklist(case):
        drafts.attach_material(clerk, case, item.material.pk, PDF, "scan.pdf")
    return case


def _document(case):
    from yiwang.cases.models import CaseDocument, DocumentKind

    return CaseDocument.objects.create(
        case=case, kind=DocumentKind.ACCEPTANCE_NOTICE, event_seq=1, title="受理通知书", file=store_pdf()
    )


def _province_entry():
    """An entry of a provincial department: outside every demo staff member's division."""
    from yiwang.catalog import services as catalog
    from yiwang.core import services as core
    from yiwang.core.models import DepartmentNature
    from yiwang.demo.region import department_uscc

    department = core.create_department(
        name="内蒙古自治区测试厅",
        uscc=department_uscc("150000", 90, DepartmentNature.ADMINISTRATIVE),
        division="150000",
        nature=DepartmentNature.ADMINISTRATIVE,
    )
    item = catalog.create_catalog_item(
        basic_code="150100888000", name="省级测试事项", item_type="01", legal_basis="测试", levels=[1]
    )
    claim = catalog.claim_item(department, item)
    blank, sample = store_pdf("空白.pdf"), store_pdf("样表.pdf")
    entry = catalog.compile_entry(claim, None, db_document(str(blank.pk), str(sample.pk)))
    return entry, claim, blank


def _province_licences(department, users) -> dict:
    """The provincial department's seal, licence type and two licences (one held by each demo
    citizen), each shared once: outside every demo staff member's division."""
    from yiwang.licences import issuing, keys, wallet
    from yiwang.licences.models import LicenceType

    key = keys.create_key(department, None)
    licence_type = LicenceType.objects.create(
        code=department.uscc + "901",
        name="省级测试许可证",
        agency=department,
        holder_kind="person",
        schema={"fields": [{"name": "name", "label": "姓名", "type": "text"}]},
    )
    held = {}
    for username in ("demo-citizen", "demo-citizen2"):
        person = users[username].person
        licence = issuing.issue(
            licence_type=licence_type,
            issuer=department,
            holder=issuing.person_holder(person),
            data={"name": person.name},
            issued_on=dt.date(2026, 1, 5),
        )
        link, _token = wallet.share(users[username], licence, 7)
        held[username] = {"identifier": licence.identifier, "share_id": link.pk}
    return {"key": key, "type": licence_type, "held": held}


def _province_ratings(cases: dict, entry) -> dict:
    """A 差评 of each demo citizen's case, with its loop and a pending appeal, concerning the
    provincial department: outside every demo staff member's department and division."""
    from django.utils import timezone

    from yiwang.ratings.models import Appeal, FollowUp, Rating

    rows = {}
    for owner, key in (("demo-citizen", "a_market"), ("demo-citizen2", "b_civil")):
        case = cases[key]
        rating = Rating.objects.create(
            case=case,
            stage="acceptance",
            channel="online",
            level=1,
            bad=True,
            department=entry.department,
            division_code=entry.department.division.code,
            entry=entry,
        )
        today = timezone.localdate()
        follow_up = FollowUp.objects.create(
            rating=rating,
            department=entry.department,
            division_code=rating.division_code,
            state="verify",
            contact_due=today,
            answer_due=today,
            visit_due=today,
            due_date=today,
        )
        appeal = Appeal.objects.create(rating=rating, kind="mistaken", reasons="测试")
        rows[owner] = {
            "rating_id": rating.pk,
            "ref": case.number,
            "follow_up_id": follow_up.pk,
            "appeal_id": appeal.pk,
        }
    return rows


def _province_supervision(case, department) -> dict:
    """A red card and a 督办 concerning the provincial department: outside everyone's reach."""
    import datetime as dt

    from yiwang.supervision.models import Order, Warning

    warning = Warning.objects.create(
        rule="deadline_overdue",
        colour="red",
        case=case,
        department=department,
        division_code=department.division.code,
        answer_due=dt.date(2026, 12, 31),
    )
    order = Order.objects.create(
        case=case,
        warning=warning,
        department=department,
        division_code=department.division.code,
        instruction="测试",
        due_date=dt.date(2026, 12, 31),
    )
    return {"warning_id": warning.pk, "order_id": order.pk}


def _oauth_objects(user) -> dict:
    """An app's access token granted by `user`, and a device grant `user` is confirming."""
    import datetime as dt

    from django.utils import timezone
    from oauth2_provider.models import get_access_token_model, get_device_grant_model

    expires = timezone.now() + dt.timedelta(hours=1)
    token = get_access_token_model().objects.create(
        user=user, token=f"matrix-{user.pk}", expires=expires, scope="openid"
    )
    grant = get_device_grant_model().objects.create(
        user=user,
        client_id="matrix-client",
        device_code=f"matrix-device-{user.pk}",
        user_code=f"MATRIX{user.pk}",
        expires=expires,
    )
    return {"pk": token.pk, "client_id": grant.client_id, "user_code": grant.user_code}


@pytest.fixture
def world(demo_region, make_published, users, id_number):
    from yiwang.accounts.models import Enterprise
    from yiwang.notices.models import Notice

    market = make_published()
    civil = make_published(department="city_civil_affairs")
    district = make_published(department="chengguan_market")
    enterprise = Enterprise.objects.get(user=users["demo-enterprise"])
    cases = {
        "a_market": _apply(users["demo-citizen"], market),
        "ent_market": _apply(users["demo-citizen"], market, enterprise=enterprise),
        "b_civil": _apply(users["demo-citizen2"], civil),
        "district_window": drafts.submit(
            users["demo-clerk-chengguan"],
            _window_draft(users["demo-clerk-chengguan"], district, id_number(seq="991")),
        ),
        "a_draft": _apply(users["demo-citizen"], market, submit=False),
    }
    documents = {key: _document(case) for key, case in cases.items()}
    window_drafts = {
        "demo-clerk-chengguan": _window_draft(users["demo-clerk-chengguan"], district, id_number(seq="992")),
        "demo-clerk": _window_draft(users["demo-clerk"], market, id_number(seq="993")),
    }
    entry, claim, blank = _province_entry()
    licences = _province_licences(entry.department, users)
    other_users = {
        username: _oauth_objects(users[username]) for username in ("demo-citizen", "demo-citizen2")
    }
    notices = {
        username: Notice.objects.create(user=users[username], key="matrix", title="t", body="b", link="/")
        for username in ("demo-citizen", "demo-citizen2")
    }
    return {
        "cases": cases,
        "documents": documents,
        "window_drafts": window_drafts,
        "entry": entry,
        "claim": claim,
        "file": blank,
        "notices": notices,
        "oauth": other_users,
        "licences": licences,
        "ratings": _province_ratings(cases, entry),
        "supervision": _province_supervision(cases["a_market"], entry.department),
        "bundle": _province_bundle(entry),
    }


def _province_bundle(entry):
    """A bundle of the province (its only member the provincial entry): outside every demo staff
    member's division tree, so neither its definition nor its window intake opens for them."""
    from yiwang.bundles.models import Bundle, BundleVersion

    bundle = Bundle.objects.create(
        code="province-matrix", name="省级测试一件事", division=entry.department.division
    )
    version = BundleVersion.objects.create(
        bundle=bundle,
        number=1,
        name=bundle.name,
        state="published",
        definition={"members": [{"entry": entry.code}]},
    )
    Bundle.objects.filter(pk=bundle.pk).update(published=version)
    return bundle


def foreign_values(kind: str, role: str, world, users) -> dict:
    """The path parameters naming an object of `kind` that `role` must not see."""
    username = ROLES[role]
    if kind == "case":
        case = world["cases"][FOREIGN_CASE[role]]
        assert access.case_for(users[username], case.number or str(case.draft_key)) is None, (role, kind)
        ref = case.number or str(case.draft_key)
        received = case.materials.first().pk
        return {
            "ref": ref,
            "number": ref,
            "received_id": received,
            "material_id": received,
            "document_id": world["documents"][FOREIGN_CASE[role]].pk,
        }
    if kind == "window_draft":
        owner = "demo-clerk" if username == "demo-clerk-chengguan" else "demo-clerk-chengguan"
        draft = world["window_drafts"][owner]
        return {"key": str(draft.draft_key), "received_id": draft.materials.first().pk}
    if kind == "entry":
        entry = world["entry"]
        return {"entry_id": entry.pk, "number": 1, "seq": 1, "file_id": str(world["file"].pk)}
    if kind == "claim":
        return {"claim_id": world["claim"].pk}
    if kind == "notice":
        owner = "demo-citizen2" if username == "demo-citizen" else "demo-citizen"
        return {"notice_id": world["notices"][owner].pk}
    if kind in ("oauth_token", "device_grant"):
        owner = "demo-citizen2" if username == "demo-citizen" else "demo-citizen"
        return world["oauth"][owner]
    if kind == "licence":
        holder = "demo-citizen2" if username == "demo-citizen" else "demo-citizen"
        return world["licences"]["held"][holder]
    if kind == "licence_type":
        return {"type_id": world["licences"]["type"].pk}
    if kind == "seal":
        key = world["licences"]["key"]
        return {"department_id": key.department_id, "kid": key.kid}
    if kind == "rating":
        owner = "demo-citizen2" if username == "demo-citizen" else "demo-citizen"
        return world["ratings"][owner]
    if kind == "supervision":
        return world["supervision"]
    if kind == "bundle":
        return {"code": world["bundle"].code}
    if kind == "guide_file":
        return {"file_id": str(world["file"].pk)}
    raise AssertionError(f"no generator for {kind}")


# --- The matrix ----------------------------------------------------------------------------------


def _answer(client, route: Route, values: dict, token: str | None):
    path = route.path(values)
    if route.api_method is None:
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path, {})
        return response
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = API_BODIES.get(route.label, {})
    if "file" in body:
        from django.core.files.uploadedfile import SimpleUploadedFile

        name, data = body["file"]
        return client.post(path, {"file": SimpleUploadedFile(name, data)}, **headers)
    if "json" in body:
        return client.generic(route.api_method, path, json.dumps(body["json"]), "application/json", **headers)
    return client.generic(route.api_method, path, **headers)


def _shape(response, foreign: dict) -> tuple:
    location = response.headers.get("Location", "")
    for name, value in foreign.items():
        location = location.replace(str(value), str(MISSING[name]))
    return response.status_code, location


def test_no_role_sees_a_foreign_object(world, users, client):
    from yiwang.accounts.services import issue_api_token

    routes = object_routes()
    cells, refusals, problems = 0, 0, []
    for role, username in ROLES.items():
        client.force_login(users[username])
        token = issue_api_token(users[username])
        for route in routes:
            values = foreign_values(KINDS[route.params], role, world, users)
            foreign = {k: values[k] for k in route.params}
            answer = _answer(client, route, foreign, token)
            cells += 1
            if answer.status_code == 404:
                continue
            missing = _answer(client, route, {k: MISSING[k] for k in route.params}, token)
            if answer.status_code != 200 and _shape(answer, foreign) == _shape(missing, {}):
                refusals += 1  # a refusal of the page itself, the same for any object
                continue
            problems.append(
                f"{role} {route.label} {route.path(foreign)}: {answer.status_code} "
                f"(no such object: {missing.status_code})"
            )
        client.logout()
    assert not problems, f"{len(problems)} of {cells} answers tell a foreign object apart:\n" + "\n".join(
        problems
    )
    assert cells == len(ROLES) * len(routes)
    print(f"access matrix: {cells} cells, {cells - refusals} answered 404, {refusals} refused the page")
