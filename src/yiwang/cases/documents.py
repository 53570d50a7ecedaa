"""The documents a case produces (受理通知书, 不予受理通知书, 准予许可决定书, 不予许可决定书), as PDFs.

Rendering a PDF is long work, so it never runs in the transaction of the action: the action's event
reaches `on_case_event` through the outbox after commit (subscribed in `CasesConfig.ready`). There
the document is rendered from the case and that event, and kept with the case through
`delivery.store_document` — once per case, kind and event, so a repeated delivery makes no second
one. Then a completed case whose applicant chose electronic delivery is delivered by the system
(`services.deliver_when_ready`): its decision can now be downloaded, so delivery is true.

The text is the law's (行政许可法 arts. 32, 34, 38, 44) in Chinese, the official language of the
documents, whatever language the reader's pages are in. Refusals and non-acceptance always carry the
remedy (行政复议 / 行政诉讼, with the body and the time limit, art. 38).
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import strip_tags

from yiwang.cases import delivery
from yiwang.cases.models import Case, CaseDocument, CaseEvent, DocumentKind
from yiwang.cases.rules import with_statutory_remedy
from yiwang.core import pdf
from yiwang.core.models import OutboxMessage

# Which document each event produces.
KIND_BY_ACTION: dict[str, DocumentKind] = {
    "accept": DocumentKind.ACCEPTANCE_NOTICE,
    "accept_with_pending": DocumentKind.ACCEPTANCE_NOTICE,
    "deem_accepted": DocumentKind.ACCEPTANCE_NOTICE,
    "not_accept": DocumentKind.NON_ACCEPTANCE_NOTICE,
    "approve": DocumentKind.APPROVAL_DECISION,
    "decide_on_the_spot": DocumentKind.APPROVAL_DECISION,
    "approve_on_commitment": DocumentKind.APPROVAL_DECISION,
    "refuse": DocumentKind.REFUSAL_DECISION,
}
DECISION_ACTIONS = frozenset(
    a
    for a, k in KIND_BY_ACTION.items()
    if k in (DocumentKind.APPROVAL_DECISION, DocumentKind.REFUSAL_DECISION)
)
# The events the subscriber hears: each that produces a document, and completion (electronic
# delivery follows once the decision document exists, whichever of the two comes last).
TOPICS = [f"case.{a}" for a in KIND_BY_ACTION] + ["case.complete"]


# --- Writing the document ----------------------------------------------------------------------


def _day(value: dt.date | dt.datetime | str | None) -> str:
    """A date as written in Chinese documents: 2026年6月1日."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return f"{value.year}年{value.month}月{value.day}日"


@dataclass(frozen=True)
class Draft:
    """What a document says: its title, the paragraphs of its body and the issuing body."""

    kind: DocumentKind
    title: str
    number: str
    paragraphs: list[tuple[str, str]]  # (label, text): a label prints in bold before the text
    issuer: str
    issued_on: str


def _pending_names(case: Case, ids: list[Any]) -> list[str]:
    from yiwang.catalog.models import Material

    names = dict(
        Material.objects.filter(pk__in=[i for i in ids if isinstance(i, int)]).values_list("pk", "name")
    )
    return [names.get(i, str(i)) for i in ids]


def draft(case: Case, event: CaseEvent, dates: dict[str, Any] | None = None) -> Draft:
    """The document `event` produces for `case`. `dates` are the due dates as the event left them
    (the outbox message's); the case's own are used where they are missing."""
    kind = KIND_BY_ACTION[event.action]
    dates = dates or {}
    action, data = event.action, event.data if isinstance(event.data, dict) else {}
    submitted = _day(case.submitted_at)
    accepted = _day(case.accepted_on or event.at)
    decided = _day(event.at)
    application = f"你（单位）于{submitted}提出的“{case.title}”申请（办件编号：{case.number}）"
    decision_due = _day(dates.get("decision_due") or case.decision_due)
    delivery_due = _day(dates.get("delivery_due") or case.delivery_due)
    p: list[tuple[str, str]] = [("", f"{case.applicant_name}：")]
    if action == "accept":
        p.append(
            (
                "",
                f"{application}，经审查，申请事项属于本机关职权范围，申请材料齐全、符合法定形式。根据"
                f"《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，本机关决定予以受理，"
                f"受理日期为{accepted}。",
            )
        )
    elif action == "accept_with_pending":
        names = _pending_names(case, list(data.get("pending") or []))
        p.append(
            (
                "",
                f"{application}，主要申请材料齐全、符合法定形式，下列非关键材料暂缺。根据容缺受理的规定和"
                f"你（单位）的书面承诺，本机关决定予以容缺受理，受理日期为{accepted}。",
            )
        )
        p.append(
            (
                "容缺材料",
                f"请于{_day(data.get('commitment_date') or case.commitment_due)}前补齐："
                + "；".join(f"{n}. {name}" for n, name in enumerate(names, 1))
                + "。材料补齐前本机关不作出准予许可决定；逾期未补齐的，本机关将依法处理。",
            )
        )
    elif action == "deem_accepted":
        p.append(
            (
                "",
                f"{application}，本机关未在五个工作日内作出是否受理的决定，也未一次性告知需要补正的全部"
                f"内容。根据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，自收到申请材料"
                f"之日起即为受理，受理日期为{accepted}。",
            )
        )
    elif action == "not_accept":
        p.append(("", f"{application}，经审查，本机关决定不予受理。"))
        p.append(("不予受理的理由", event.reason or case.decision_reason))
    elif action == "approve":
        p.append(
            (
                "",
                f"{application}，本机关于{accepted}受理。经审查，申请符合法定条件、标准。根据《中华人民共和国"
                f"行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。",
            )
        )
    elif action == "decide_on_the_spot":
        p.append(
            (
                "",
                f"{application}，申请材料齐全、符合法定形式，能够当场作出决定。根据《中华人民共和国行政许可法》"
                f"第三十四条第二款、第三十八条第一款的规定，本机关当场决定准予行政许可。",
            )
        )
    elif action == "approve_on_commitment":
        p.append(
            (
                "",
                f"{application}，你（单位）已按告知承诺制的要求书面承诺符合许可条件。本机关依据你（单位）的"
                f"承诺，根据《中华人民共和国行政许可法》第三十八条第一款的规定，决定准予行政许可。",
            )
        )
        p.append(("承诺内容", case.commitment_text))
        check = _day(data.get("verification_due") or case.verification_due)
        p.append(
            (
                "事后核查",
                f"本机关将于{check}前对承诺内容进行核查；发现实际情况与承诺内容不符的，依法责令限期整改，"
                f"逾期不整改或者整改后仍不符合条件的，依法撤销行政许可。",
            )
        )
    elif action == "refuse":
        p.append(("", f"{application}，本机关于{accepted}受理。经审查，本机关决定不予行政许可。"))
        p.append(("不予许可的理由", event.reason or case.decision_reason))
    if kind == DocumentKind.ACCEPTANCE_NOTICE and decision_due:
        p.append(
            (
                "办理期限",
                f"本机关将于{decision_due}前作出决定。依法需要听证、检验、检测、鉴定、专家评审等的，"
                f"所需时间不计算在期限内，届时将书面告知。",
            )
        )
    if kind == DocumentKind.APPROVAL_DECISION:
        if event.reason:
            p.append(("审查意见", event.reason))
        if delivery_due:
            p.append(
                (
                    "送达",
                    f"根据《中华人民共和国行政许可法》第四十四条的规定，行政许可结果将于{delivery_due}前送达。",
                )
            )
    if kind in (DocumentKind.NON_ACCEPTANCE_NOTICE, DocumentKind.REFUSAL_DECISION):
        # Art. 38: the right to 行政复议 or 行政诉讼 is always told, with the body and the limit.
        p.append(("救济途径", with_statutory_remedy(case.remedy or str(data.get("remedy") or ""))))
    return Draft(
        kind=kind,
        title=str(kind.label),
        number=f"{case.number}-{event.seq:02d}",
        paragraphs=[(label, text) for label, text in p if text],
        issuer=case.department.name,
        issued_on=decided,
    )


def render_html(case: Case, document: Draft) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "cases/document_pdf.html",
            {
                "doc": document,
                "case": case,
                "department": case.department,
                # One family (regular and bold): every face is embedded, each adds ~150 KB.
                "font_family": pdf.CJK_FONT_FAMILY,
            },
        )


def text_of(html: str) -> str:
    """The words of the rendered document in reading order (its <head> and styles left out)."""
    body = re.sub(r"(?is)<head>.*?</head>", "", html)
    body = re.sub(r"(?i)<br\s*/?>|</p>|</h1>|</div>|</li>", "\n", body)
    text = html_lib.unescape(strip_tags(body))
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def make(case: Case, event: CaseEvent, dates: dict[str, Any] | None = None) -> CaseDocument:
    """The document of `event`, rendered and kept (or the one already kept for it)."""

    kind = KIND_BY_ACTION[event.action]
    existing = CaseDocument.objects.filter(case=case, kind=kind, event_seq=event.seq).first()
    if existing is not None:
        return existing
    document = draft(case, event, dates)
    html = render_html(case, document)
    return delivery.store_document(
        case, kind, event.seq, pdf.html_to_pdf(html), title=document.title, text=text_of(html)
    )


# --- The subscriber ------------------------------------------------------------------------------


def on_case_event(message: OutboxMessage) -> None:
    """Make the document of a decision or acceptance event; deliver electronically when ready."""
    from yiwang.cases import services

    payload = message.payload
    action = payload.get("action", "")
    case = Case.objects.select_related("department", "entry").filter(pk=payload.get("case")).first()
    if case is None or not case.number:
        return
    if action in KIND_BY_ACTION:
        event = CaseEvent.objects.filter(case=case, seq=payload.get("seq")).first()
        if event is not None:
            make(case, event, payload)
    elif action == "complete":
        # The decision's own message normally made its document; a decision taken before documents
        # existed (or whose message is still on its way) gets it here.
        decision = (
            CaseEvent.objects.filter(case=case, action__in=DECISION_ACTIONS, seq__lt=payload.get("seq") or 0)
            .order_by("-seq")
            .first()
        )
        if decision is not None:
            make(case, decision)
    if action == "complete" or action in DECISION_ACTIONS:
        services.deliver_when_ready(case)


def catch_up(case: Case) -> None:
    """Do now, for one case, what the worker does after its decision: make the decision document
    and, with it, deliver electronically. For the demo loader, which moves cases through weeks in
    seconds; the outbox messages stay due, and delivering them later changes nothing here."""
    from yiwang.cases import services

    decision = CaseEvent.objects.filter(case=case, action__in=DECISION_ACTIONS).order_by("-seq").first()
    if decision is not None:
        make(Case.objects.select_related("department", "entry").get(pk=case.pk), decision)
    services.deliver_when_ready(case)
