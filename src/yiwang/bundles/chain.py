"""一链通办: moving a bundle's chain on. When an upstream case is decided, each waiting case whose
upstream cases all succeeded starts by itself, the upstream licences attached as its materials and
their values in its form, with no action by the applicant; when an upstream case fails, the cases
waiting on it (and on them) stop with the reason, and the applicant is told once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from yiwang.bundles import queries, rules
from yiwang.bundles.models import ApplicationState, BundleApplication, BundleMember, MemberState
from yiwang.cases import clock
from yiwang.cases.models import Case
from yiwang.core import outbox


def ensure_licences(application: BundleApplication) -> None:
    """Upstream licences exist (issued and rendered) before the chain moves: the same idempotent
    steps the licences app takes on approval, each committing on its own, outside `advance`."""
    from yiwang.licences import documents, issuing

    members = list(application.members.select_related("case"))
    upstream = {code for m in members if m.state == MemberState.WAITING for code in m.after}
    for m in members:
        if m.entry_code in upstream and m.case.state in queries.DECIDED_STATES:
            licence = issuing.issue_for_case(m.case)
            if licence is not None and licence.document_id is None:
                documents.attach(licence)


def advance(application: BundleApplication) -> list[str]:
    """Start each waiting case whose upstream cases all succeeded, with their licences as its
    materials; stop those whose upstream failed, telling the applicant once. Idempotent (a second
    delivery finds nothing to do). Returns what happened, for the log."""
    from yiwang.cases import drafts
    from yiwang.licences.models import Licence, LicenceUse, UseKind

    done: list[str] = []
    with transaction.atomic():
        application = BundleApplication.objects.select_for_update().get(pk=application.pk)
        definition, facts = queries.facts_of(application.version)
        members = list(application.members.select_related("case__entry", "case__version").order_by("order"))
        by_code = {m.entry_code: m for m in members}
        outcome = queries.outcomes([m.case for m in members])
        changed = True
        while changed:  # a stop travels down the chain in one pass
            changed = False
            for m in members:
                if m.state != MemberState.WAITING:
                    continue
                ups = [by_code[c] for c in m.after if c in by_code]
                failed = next(
                    (u for u in ups if u.state == MemberState.STOPPED or outcome[u.case.pk] == "failed"),
                    None,
                )
                if failed is not None:
                    reason = _stop_reason(failed)
                    m.state, m.stop_reason = MemberState.STOPPED, reason[:300]
                    m.save(update_fields=["state", "stop_reason"])
                    drafts.hold(m.case, _("未启动：%(reason)s") % {"reason": reason})
                    done.append(f"stopped {m.entry_code}")
                    changed = True
                    continue
                if not all(outcome[u.case.pk] == "granted" for u in ups):
                    continue
                provided, values, used = [], {}, []
                for u in ups:
                    licence = (
                        Licence.objects.filter(case=u.case, previous__isnull=True)
                        .select_related("licence_type")
                        .first()
                    )
                    if licence is None:
                        continue
                    values.update(licence.data or {})
                    values.setdefault("name", licence.holder_name)
                    values.update(
                        holder_name=licence.holder_name, number=licence.number, identifier=licence.identifier
                    )
                    for material in drafts.required_materials(m.case):
                        if material.licence_type_code in (
                            licence.licence_type.code,
                            licence.licence_type.name,
                        ):
                            provided.append(
                                drafts.Provided(
                                    material.pk,
                                    licence.document,
                                    licence.identifier,
                                    _("一件事前置事项“%(title)s”核发") % {"title": u.case.title},
                                )
                            )
                            used.append(licence)
                form = (
                    rules.member_form(
                        definition,
                        m.entry_code,
                        _situation_seq(m.case),
                        facts,
                        application.form_data,
                        values,
                    )
                    if m.entry_code in facts
                    else {}
                )
                try:
                    with transaction.atomic():
                        drafts.release(
                            m.case, provided, form, data={"bundle": application.number, "chain": True}
                        )
                except ValidationError as exc:
                    names = "；".join(msg for v in exc.message_dict.values() for msg in v)[:200]
                    m.state, m.stop_reason = (
                        MemberState.STOPPED,
                        (_("未能自动提交：%(why)s") % {"why": names})[:300],
                    )
                    m.save(update_fields=["state", "stop_reason"])
                    drafts.hold(m.case, m.stop_reason)
                    done.append(f"stuck {m.entry_code}")
                    changed = True
                    continue
                m.state, m.started_at = MemberState.STARTED, clock.now()
                m.save(update_fields=["state", "started_at"])
                m.case.refresh_from_db()
                outcome[m.case.pk] = "open"
                LicenceUse.objects.bulk_create(
                    LicenceUse(
                        licence=licence,
                        kind=UseKind.MATERIAL,
                        case=m.case,
                        case_number=m.case.number or "",
                        by=None,
                        by_label=_("一件事自动调用：%(title)s") % {"title": m.case.title[:80]},
                        at=clock.now(),
                    )
                    for licence in used
                )
                outbox.publish(
                    "bundle.case_started",
                    {
                        "application": application.pk,
                        "number": application.number,
                        "title": m.case.title,
                        "case": m.case.number,
                    },
                )
                done.append(f"started {m.entry_code}")
                changed = True
        _settle(application, members, outcome)
    return done


def _situation_seq(case: Case) -> int | None:
    return case.situation.seq if case.situation_id else None


def _stop_reason(upstream: BundleMember) -> str:
    from yiwang.cases.models import state_label

    if upstream.state == MemberState.STOPPED:
        return _("前置事项“%(title)s”未启动") % {"title": upstream.case.title}
    reason = upstream.case.decision_reason or ""
    text = _("前置事项“%(title)s”%(state)s") % {
        "title": upstream.case.title,
        "state": state_label(upstream.case.state),
    }
    return f"{text}：{reason}" if reason else text


def _settle(application: BundleApplication, members: list[BundleMember], outcome: dict[int, str]) -> None:
    """The application's own state: done when every started case is decided and nothing waits;
    the applicant is told once when part of it stopped."""
    stopped = [m for m in members if m.state == MemberState.STOPPED]
    failed = [m for m in members if m.state == MemberState.STARTED and outcome[m.case.pk] == "failed"]
    if (stopped or failed) and not application.stop_reason:
        first = stopped[0] if stopped else failed[0]
        application.stop_reason = (first.stop_reason or _stop_reason(first))[:300]
        application.save(update_fields=["stop_reason"])
        if stopped:
            outbox.publish(
                "bundle.stopped",
                {
                    "application": application.pk,
                    "number": application.number,
                    "title": application.title,
                    "reason": application.stop_reason,
                    "stopped": [m.case.title for m in stopped],
                },
            )
    waiting = any(m.state == MemberState.WAITING for m in members)
    open_ = any(m.state == MemberState.STARTED and outcome[m.case.pk] == "open" for m in members)
    if waiting or open_ or application.closed_at:
        return
    application.state = ApplicationState.STOPPED if (stopped or failed) else ApplicationState.DONE
    application.closed_at = clock.now()
    application.save(update_fields=["state", "closed_at"])
