"""Reading the application page's forms back and saving them through the case services, so that
nothing typed is lost: a bad value never blocks saving the valid ones, a POST without the form
does not erase it, and a POST that arrives after the session expired is kept in the (anonymous)
session and saved once the applicant has signed in again (signing in keeps the session's data).
"""

from __future__ import annotations

import contextlib
import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from yiwang.cases import changes, drafts
from yiwang.cases.models import Case, DeliveryMethod
from yiwang.cases.rules import State
from yiwang.catalog.form_schema import PHONE_RE
from yiwang.portal import case_presenters as present
from yiwang.workbench.schema_forms import data_from_post

STASH_KEY = "yiwang_case_stash"
STASH_MAX_FIELDS = 2000
STASH_MAX_CHARS = 100_000
EDITABLE_STATES = {State.DRAFT, State.CORRECTION_REQUESTED}
DELIVERY_FIELDS = ("recipient", "phone", "address")


def editable_schema(case: Case) -> dict:
    """The form the applicant may change now: all of it in a draft, only the fields a correction
    lists while it is open."""
    schema = drafts.case_schema(case)
    if case.state == State.CORRECTION_REQUESTED:
        correction = drafts.open_correction(case)
        listed = {i.get("field") for i in (correction.items if correction else []) if i.get("field")}
        schema = {**schema, "fields": [f for f in schema.get("fields", []) if f.get("name") in listed]}
    return schema


def posted_form(case: Case, post: QueryDict) -> dict | None:
    """The application form's values in a POST, or None when the POST does not carry the form
    (the page's form marks itself with `has_form`; an absent checkbox group or table must not
    erase what was saved when another form, e.g. the submit button alone, is posted)."""
    if post.get("has_form") != "1":
        return None
    return data_from_post(editable_schema(case), post, prefix=present.FORM_PREFIX)


def save_form(
    request: HttpRequest, case: Case, data: dict | None, contact_phone: str | None
) -> dict[str, list[str]]:
    """Save what is valid and report what is not: a bad value never blocks saving the others (the
    bad field keeps its previously saved value)."""
    errors: dict[str, list[str]] = {}
    if contact_phone is not None:
        contact_phone = contact_phone.strip()
        if contact_phone and not PHONE_RE.match(contact_phone):
            errors["contact_phone"] = [_("请输入11位手机号码或带区号的固定电话。")]
            contact_phone = None
    if data is None:
        if contact_phone is None:
            return errors
        data = dict(case.form_data)
    try:
        drafts.save_form(request.user, case, data, contact_phone=contact_phone)
        return errors
    except ValidationError as exc:
        errors.update(exc.message_dict)
    bad = {key.split(".", 1)[0] for key in errors}
    kept = {k: v for k, v in data.items() if k not in bad}
    kept.update({k: v for k, v in case.form_data.items() if k in bad})
    with contextlib.suppress(ValidationError):  # nothing more can be saved; the errors say why
        drafts.save_form(request.user, case, kept, contact_phone=contact_phone)
    return errors


def posted_delivery(post: QueryDict) -> dict[str, str] | None:
    if "delivery_method" not in post:
        return None
    values = {k: (post.get(f"delivery_{k}") or "").strip() for k in DELIVERY_FIELDS}
    return {"method": (post.get("delivery_method") or "").strip(), **values}


def save_delivery(
    request: HttpRequest, case: Case, posted: dict[str, str] | None, *, autosave: bool
) -> dict[str, list[str]]:
    if posted is None or case.state != State.DRAFT:
        return {}
    method = posted["method"]
    if not method:
        return {} if autosave else {"delivery_method": [_("请选择领取方式。")]}
    if method == DeliveryMethod.EXPRESS:
        if autosave and not all(posted[k] for k in DELIVERY_FIELDS):
            return {}  # half-typed address: kept in the page until it is complete
        if posted["phone"] and not PHONE_RE.match(posted["phone"]):
            return {"delivery_phone": [_("请输入11位手机号码或带区号的固定电话。")]}
    try:
        drafts.set_delivery(
            request.user,
            case,
            method,
            recipient=posted["recipient"],
            phone=posted["phone"],
            address=posted["address"],
        )
    except ValidationError as exc:
        return {f"delivery_{k}": v for k, v in exc.message_dict.items()}
    return {}


def stash(request: HttpRequest, ref: str) -> None:
    """Keep the fields of a POST that came after the session expired (no files), so they can be
    saved once the applicant has signed in again (the login keeps the anonymous session's data)."""
    post: dict[str, list[str]] = {}
    size = 0
    for key in list(request.POST.keys())[:STASH_MAX_FIELDS]:
        if key == "csrfmiddlewaretoken":
            continue
        values = request.POST.getlist(key)
        size += len(key) + sum(len(v) for v in values)
        post[key] = values
    if size <= STASH_MAX_CHARS:
        request.session[STASH_KEY] = {"ref": ref, "at": timezone.now().isoformat(), "post": post}


def restore_stash(request: HttpRequest, case: Case, ref: str) -> None:
    """Save the fields posted while the session had expired, if they are newer than the draft."""
    stash = request.session.get(STASH_KEY)
    if not isinstance(stash, dict) or stash.get("ref") not in {ref, case.number, str(case.draft_key)}:
        return
    request.session.pop(STASH_KEY, None)
    if case.state not in EDITABLE_STATES:
        return
    try:
        at = dt.datetime.fromisoformat(str(stash.get("at")))
    except ValueError:
        return
    if case.updated_at and case.updated_at > at:
        return  # the draft changed since (e.g. on another device): keep the newer version
    post = QueryDict(mutable=True)
    for key, values in (stash.get("post") or {}).items():
        if isinstance(values, list):
            post.setlist(str(key), [str(v) for v in values])
    data = posted_form(case, post)
    try:
        errors = save_form(
            request, case, data, post.get("contact_phone") if case.state == State.DRAFT else None
        )
        save_delivery(request, case, posted_delivery(post), autosave=True)
    except (changes.CaseConflict, changes.NotYourAction):
        return
    messages.info(request, _("登录超时前填写的内容已恢复并保存，请核对。"))
    if errors:
        messages.warning(request, _("其中有些内容填写有误，未能保存，请检查后重新填写。"))
