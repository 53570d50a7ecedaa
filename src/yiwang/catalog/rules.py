"""Guide-quality audit (找茬): pure rules over a guide document (see `guide_document`).

Each rule returns findings naming the guide element, a severity (an error blocks publishing, a
warning does not), what is wrong and how to fix it. The rules cover every defect domain.md §2 lists
and those the seed reports complain about; `RULES` is the table of them, used by the command,
the supervisor's page and the docs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from yiwang.catalog.form_schema import PLATFORM_STEPS, duplicates_platform_step

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Finding:
    rule: str
    element: str
    severity: str
    message: str
    suggestion: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    title: Any  # lazy string
    severity: str
    check: Callable[[dict], Iterator[Finding]]


RULES: list[Rule] = []


def rule(code: str, title, severity: str):
    def register(check: Callable[[dict], Iterator[tuple[str, str, str]]]):
        def run(doc: dict) -> Iterator[Finding]:
            for element, message, suggestion in check(doc):
                yield Finding(code, element, severity, str(message), str(suggestion))

        RULES.append(Rule(code, title, severity, run))
        return check

    return register


FORM_WORDS = re.compile(r"(申请表|申请书|登记表|申报表|审批表|报告表|承诺书|表格|信息表|备案表|确认书)")
VAGUE_MATERIAL = re.compile(
    r"(其他材料|其它材料|相关材料|有关材料|等材料|规定的其他|要求的其他|其他证明|其他资料)"
)
# Official terms a citizen does not use; such an entry needs a plain title (通俗名称).
JARGON = (
    "转移登记",
    "首次登记",
    "抵押登记",
    "注销登记",
    "变更登记",
    "核准",
    "备案",
    "确认",
    "给付",
    "裁决",
    "特种行业",
    "准予",
    "核发",
    "认定",
    "审核转报",
    "设立登记",
)
# "5天" or "5日" as a period; not a calendar date such as "3月1日".
DAY_IN_TEXT = re.compile(r"(?<![月\d])\d+\s*(个)?(天|日)(?!工作)")
TIME_IN_HOURS = re.compile(r"\d{1,2}[:：]\d{2}")
ADDRESS_MARKERS = re.compile(r"(路|街|道|号|楼|层|室|大厅|中心|窗口|巷|村|镇|乡|区)")
# The 12345 hotline, written bare or behind an area code: 12345, 0471-12345, (0471)12345.
HOTLINE_12345 = re.compile(r"(0\d{2,3})?12345")
# An exception in brackets inside a time limit's text: "20个工作日（需现场勘验的除外）".
BRACKETED_EXCEPTION = re.compile(r"[（(]([^（）()]*除外[^（）()]*)[)）]")
# An exception that only restates what a working day is: not another limit.
HOLIDAYS_ONLY = re.compile(r"^(法定)?(节假日|节假日和休息日|休息日|公休日|双休日)(除外)$")


def _is_hotline(phone: str) -> bool:
    """The 12345 hotline, whatever the separators or area code around it."""
    return bool(HOTLINE_12345.fullmatch(re.sub(r"\D", "", phone)))


def _limit_in_hours(value: int | None, unit: str) -> float | None:
    if value is None:
        return None
    return {"hour": 1, "workday": 8, "natural_day": 24}.get(unit, 8) * value


@rule("empty_materials", _("申请材料为空"), ERROR)
def _empty_materials(doc):
    if doc.get("initiation", "application") == "application" and not doc.get("materials"):
        yield (
            "materials",
            _("申请材料清单为空，群众不知道要带什么。"),
            _("逐项列出申请材料；确实无需材料的，写明“无需提交材料”并说明依据。"),
        )


@rule("missing_blank_form", _("表格类材料缺少空白表格"), ERROR)
def _missing_blank_form(doc):
    for i, m in enumerate(doc.get("materials") or []):
        if FORM_WORDS.search(m.get("name", "")) and not m.get("blank_form"):
            yield (
                f"materials.{i}.blank_form",
                _("“%(name)s”是表格，但没有提供空白表格下载。") % {"name": m["name"]},
                _("上传可下载的空白表格（PDF、Word 或 Excel）。"),
            )


@rule("missing_sample_form", _("表格类材料缺少示例样表"), ERROR)
def _missing_sample_form(doc):
    for i, m in enumerate(doc.get("materials") or []):
        if FORM_WORDS.search(m.get("name", "")) and not m.get("sample_form"):
            yield (
                f"materials.{i}.sample_form",
                _("“%(name)s”没有示例样表，群众不知道怎么填。") % {"name": m["name"]},
                _("上传一份填好的示例样表。"),
            )


@rule("vague_material", _("材料表述模糊（兜底条款）"), ERROR)
def _vague_material(doc):
    for i, m in enumerate(doc.get("materials") or []):
        if VAGUE_MATERIAL.search(m.get("name", "")):
            yield (
                f"materials.{i}.name",
                _("材料“%(name)s”表述模糊，属于兜底性要求。") % {"name": m["name"]},
                _("删除兜底表述，逐项写明具体材料名称。"),
            )


@rule("conditional_without_condition", _("情形必要的材料未写明情形"), ERROR)
def _conditional_without_condition(doc):
    for i, m in enumerate(doc.get("materials") or []):
        if (
            m.get("necessity") == "conditional"
            and not (m.get("condition") or "").strip()
            and not m.get("situation")
        ):
            yield (
                f"materials.{i}.condition",
                _("材料“%(name)s”标为情形必要，但没写什么情形下需要。") % {"name": m["name"]},
                _("写明需要提交该材料的具体情形。"),
            )


@rule("location_irregular", _("办理地点不规范"), ERROR)
def _location(doc):
    location = (doc.get("location") or "").strip()
    if not location:
        yield ("location", _("没有填写办理地点。"), _("写明具体地址，如“XX路XX号政务服务中心一楼3号窗口”。"))
    elif len(location) < 6 or not ADDRESS_MARKERS.search(location):
        yield (
            "location",
            _("办理地点“%(loc)s”不具体，群众找不到。") % {"loc": location},
            _("写到门牌号、楼层和窗口。"),
        )


@rule("hours_irregular", _("办理时间不规范"), ERROR)
def _hours(doc):
    hours = (doc.get("hours") or "").strip()
    if not hours:
        yield (
            "hours",
            _("没有填写办理时间。"),
            _(
                "写明工作日上午、下午的具体起止时间，如“周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）”。"
            ),
        )
    elif not TIME_IN_HOURS.search(hours):
        yield (
            "hours",
            _("办理时间“%(hours)s”没有具体时刻。") % {"hours": hours},
            _("写明具体起止时刻，如 9:00-12:00。"),
        )


@rule("time_units_mixed", _("时限单位混用"), WARNING)
def _units_mixed(doc):
    if (
        doc.get("legal_limit") is not None
        and doc.get("promised_limit") is not None
        and (doc.get("legal_limit_unit") != doc.get("promised_limit_unit"))
    ):
        yield ("promised_limit_unit", _("法定时限与承诺时限的单位不同，无法比较。"), _("统一使用“工作日”。"))
    for key in ("legal_limit_note", "promised_limit_note"):
        unit = doc.get(key.replace("_note", "_unit"))
        if unit == "workday" and DAY_IN_TEXT.search(doc.get(key) or ""):
            yield (key, _("时限单位为“工作日”，说明中却写“天”。"), _("说明中同样写“工作日”。"))


@rule("limit_with_bracketed_exception", _("时限说明括号里藏着例外"), WARNING)
def _limit_exception(doc):
    """A limit such as "20个工作日（需现场勘验的除外）": the limit the applicant reads is not the one
    that applies to the excepted cases, which belong in their own situation or special procedure."""
    for key in ("legal_limit_note", "promised_limit_note"):
        text = doc.get(key) or ""
        exceptions = [e.strip() for e in BRACKETED_EXCEPTION.findall(text)]
        exceptions = [e for e in exceptions if not HOLIDAYS_ONLY.match(e)]
        if exceptions:
            yield (
                key,
                _("时限说明“%(text)s”在括号里写了例外“%(exception)s”，群众看到的时限不是实际适用的时限。")
                % {"text": text, "exception": exceptions[0]},
                _("把例外单列为一个办理情形或特别程序（写明名称和时限），时限说明只写一般情形的时限。"),
            )


@rule("instant_not_marked", _("即办事项未标为即办件"), ERROR)
def _instant(doc):
    hours = _limit_in_hours(doc.get("promised_limit"), doc.get("promised_limit_unit", "workday"))
    if hours is not None and hours < 3 and doc.get("case_kind") != "instant":
        yield ("case_kind", _("承诺时限不足3小时，应标为即办件。"), _("办件类型改为“即办件”。"))
    if doc.get("case_kind") == "instant" and hours is not None and hours > 8:
        yield (
            "case_kind",
            _("即办件的承诺时限超过1个工作日。"),
            _("当场办结的写0或不超过1个工作日；否则改为承诺件。"),
        )


@rule("promised_not_shorter", _("承诺时限未压缩"), WARNING)
def _promised_not_shorter(doc):
    legal, promised = doc.get("legal_limit"), doc.get("promised_limit")
    if (
        legal
        and promised is not None
        and doc.get("legal_limit_unit") == doc.get("promised_limit_unit")
        and promised >= legal
    ):
        yield (
            "promised_limit",
            _("承诺时限（%(p)s）没有短于法定时限（%(l)s）。") % {"p": promised, "l": legal},
            _("按“放管服”要求压缩承诺时限。"),
        )


@rule("promised_missing", _("承诺件缺少承诺时限"), ERROR)
def _promised_missing(doc):
    if doc.get("case_kind") == "promised" and doc.get("promised_limit") is None:
        yield ("promised_limit", _("承诺件没有填写承诺办结时限。"), _("填写承诺办结时限及单位。"))


@rule("phone_missing", _("缺少咨询或投诉电话"), ERROR)
def _phones_missing(doc):
    if not (doc.get("consult_phone") or "").strip():
        yield ("consult_phone", _("没有填写咨询电话。"), _("填写能接通的咨询电话。"))
    if not (doc.get("complaint_phone") or "").strip():
        yield ("complaint_phone", _("没有填写监督投诉电话。"), _("填写监督投诉电话（可用12345）。"))


@rule("phones_identical", _("咨询电话与投诉电话相同"), ERROR)
def _phones(doc):
    consult, complaint = (doc.get("consult_phone") or "").strip(), (doc.get("complaint_phone") or "").strip()
    digits = re.sub(r"\D", "", consult)
    same = consult == complaint or (digits and digits == re.sub(r"\D", "", complaint))
    same = same or (_is_hotline(consult) and _is_hotline(complaint))
    if consult and complaint and same:
        # The hotline is right for complaints (with or without an area code): fix the other one,
        # and never advise 12345 for a complaint phone that already is 12345.
        if _is_hotline(complaint):
            yield (
                "consult_phone",
                _("咨询电话与监督投诉电话都是12345，群众问不到办理部门。"),
                _("咨询电话填写本部门能接通的电话，12345 留作监督投诉电话。"),
            )
            return
        yield (
            "complaint_phone",
            _("咨询电话与监督投诉电话相同，投诉无法独立受理。"),
            _("投诉电话应为监督部门或12345。"),
        )


@rule("full_online_with_visits", _("全程网办却要求到现场"), ERROR)
def _full_online(doc):
    if doc.get("online_depth") == 6 and (doc.get("visits_required") or 0) > 0:
        yield (
            "visits_required",
            _("声明“全程网办”，到现场次数却为 %(n)s 次。") % {"n": doc["visits_required"]},
            _("全程网办应为0次；确需到场的，降低网办深度。"),
        )


@rule("visits_without_reason", _("需要到现场但未说明原因"), WARNING)
def _visit_reasons(doc):
    if (doc.get("visits_required") or 0) > 0 and not (doc.get("visit_reasons") or "").strip():
        yield (
            "visit_reasons",
            _("要求到现场 %(n)s 次，但没有说明原因。") % {"n": doc["visits_required"]},
            _("写明必须到现场的原因（如核验原件、现场勘验）。"),
        )


def paper_original(material: dict) -> bool:
    """A material the applicant hands in or shows as a paper original: an original (or an original
    with its copy), on paper, not fetched from the e-licence library, and not optional."""
    media = material.get("media_format") or ""
    return (
        material.get("kind") in ("original", "both")
        and "纸" in media
        and "电子" not in media
        and not material.get("licence_type_code")
        and material.get("necessity") != "optional"
    )


@rule("paper_original_without_visit", _("零跑动却要交纸质原件"), ERROR)
def _paper_original_without_visit(doc):
    """最多跑0次 or 全程网办, yet a paper original to hand in: the applicant goes after all,
    unless the guide offers applying by post (办理形式“邮寄”), which carries the original."""
    zero_visits = (doc.get("visits_required") or 0) == 0
    full_online = doc.get("online_depth") == 6
    if not (zero_visits or full_online) or "mail" in (doc.get("handling_forms") or []):
        return
    claim = "、".join(str(c) for c, on in ((_("全程网办"), full_online), (_("最多跑0次"), zero_visits)) if on)
    for i, m in enumerate(doc.get("materials") or []):
        if paper_original(m):
            yield (
                f"materials.{i}.kind",
                _("声明“%(claim)s”，材料“%(name)s”却要提交或出示纸质原件，群众还得跑一趟。")
                % {"claim": claim, "name": m.get("name", "")},
                _(
                    "改为网上上传电子材料或关联电子证照调取；确需纸质原件的，开通邮寄办理"
                    "（办理形式加“邮寄”）寄送原件，或把到现场次数改为1次并写明原因。"
                ),
            )


@rule("fee_without_basis", _("收费没有依据"), ERROR)
def _fees(doc):
    fees = doc.get("fees") or []
    for i, fee in enumerate(fees):
        if not (fee.get("basis") or "").strip():
            yield (
                f"fees.{i}.basis",
                _("收费项目“%(name)s”没有收费依据。") % {"name": fee.get("name", "")},
                _("写明收费依据的文件名称和文号；没有依据的不得收费。"),
            )
    if not doc.get("is_free", True) and not fees:
        yield ("fees", _("声明收费，但没有列出收费项目。"), _("列出收费项目、标准和依据，或改为不收费。"))
    if doc.get("is_free", True) and fees:
        yield ("is_free", _("声明不收费，却列出了收费项目。"), _("二者保持一致。"))


@rule("legal_basis_missing", _("缺少设定依据"), ERROR)
def _legal_basis(doc):
    if len((doc.get("legal_basis") or "").strip()) < 4:
        yield (
            "legal_basis",
            _("没有填写设定依据。"),
            _("写明法律法规名称及条款，如《中华人民共和国行政许可法》第X条。"),
        )


@rule("jargon_without_plain_title", _("专业术语缺少通俗名称"), WARNING)
def _jargon(doc):
    name = doc.get("name") or ""
    if not (doc.get("plain_title") or "").strip():
        term = next((t for t in JARGON if t in name), None)
        if term:
            yield (
                "plain_title",
                _("事项名称含专业术语“%(term)s”，群众可能看不懂。") % {"term": term},
                _("填写群众日常说法的通俗名称，如“二手房买卖过户”。"),
            )
        else:
            yield ("plain_title", _("没有填写通俗名称。"), _("用群众的说法起一个通俗名称，便于搜索。"))


@rule("acceptance_conditions_missing", _("缺少受理条件"), WARNING)
def _conditions(doc):
    if not (doc.get("acceptance_conditions") or "").strip():
        yield ("acceptance_conditions", _("没有填写受理条件。"), _("写明申请人需满足的条件。"))


@rule("procedure_missing", _("缺少办理流程"), WARNING)
def _procedure(doc):
    if not doc.get("procedure"):
        yield ("procedure", _("没有填写办理流程。"), _("按“申请—受理—审查—决定—送达”写明各环节。"))


@rule("online_depth_inconsistent", _("网办深度与办理形式不一致"), WARNING)
def _online_forms(doc):
    if (doc.get("online_depth") or 0) >= 2 and "online" not in (doc.get("handling_forms") or []):
        yield ("handling_forms", _("声明可网上申报，办理形式却不含“网上办理”。"), _("办理形式加上“网上”。"))


@rule("result_missing", _("缺少审批结果"), WARNING)
def _result(doc):
    if not (doc.get("result_name") or "").strip():
        yield ("result_name", _("没有填写审批结果名称。"), _("写明办结后群众拿到什么，如“食品经营许可证”。"))


@rule("faq_missing", _("缺少常见问题"), WARNING)
def _faq(doc):
    if not doc.get("faqs"):
        yield ("faqs", _("没有常见问题解答。"), _("把窗口常被问到的问题写进来。"))


@rule("government_material_not_fetchable", _("政府核发材料未关联电子证照"), WARNING)
def _fetchable(doc):
    for i, m in enumerate(doc.get("materials") or []):
        if m.get("source") == "government" and not m.get("licence_type_code"):
            yield (
                f"materials.{i}.licence_type_code",
                _("“%(name)s”由政府部门核发，却要群众自己提交。") % {"name": m.get("name", "")},
                _("关联电子证照类型，办理时直接调取（“三个凡是”）。"),
            )


@rule("review_steps_cannot_decide", _("审查环节无法作出决定"), ERROR)
def _review_steps(doc):
    """The case procedure moves through the review steps by role (审查通过 by a reviewer or an
    approver, the decision by the last step's approver): a step no handling role can pass, or a
    last step that cannot decide, would leave every case of the entry stuck."""
    steps = [s for s in (doc.get("review_steps") or []) if isinstance(s, dict)]
    for i, step in enumerate(steps):
        name = str(step.get("name") or i + 1)
        if step.get("role") == "window_clerk":
            yield (
                f"review_steps.{i}.role",
                _("审查环节“%(name)s”由窗口人员办理，但窗口人员不能审查通过或作出决定。") % {"name": name},
                _("把该环节交给审查人员（reviewer）或审批人员（approver）。"),
            )
    if steps and steps[-1].get("role") != "approver":
        name = str(steps[-1].get("name") or len(steps))
        yield (
            f"review_steps.{len(steps) - 1}.role",
            _("最后一个审查环节“%(name)s”不是审批人员，办件无法作出准予或不予许可决定。") % {"name": name},
            _("最后一个环节应由审批人员（approver）作出决定。"),
        )


@rule("form_duplicates_platform_step", _("表单字段与平台的送达方式或联系电话重复"), WARNING)
def _form_duplicates_platform_step(doc):
    """The platform asks how the result is delivered and the contact phone in its own steps; a form
    field asking again (`form_schema.duplicates_platform_step`) is dropped from the application."""
    forms = [("form_schema", doc.get("form_schema"))]
    forms += [
        (f"situations.{i}.form_schema", s.get("form_schema"))
        for i, s in enumerate(doc.get("situations") or [])
    ]
    for element, schema in forms:
        fields = schema.get("fields") if isinstance(schema, dict) else None
        for field in fields if isinstance(fields, list) else []:
            step = duplicates_platform_step(field)
            if step is not None:
                yield (
                    element,
                    _("表单字段“%(label)s”与平台的%(step)s重复，申请时不会再问。")
                    % {"label": field.get("label") or field.get("name"), "step": PLATFORM_STEPS[step]},
                    _("从表单中删除该字段：平台在申请时单独询问%(step)s，办件里可以查到申请人的选择。")
                    % {"step": PLATFORM_STEPS[step]},
                )


def audit(doc: dict) -> list[Finding]:
    """Every finding of every rule, errors first."""
    findings = [f for r in RULES for f in r.check(doc)]
    return sorted(findings, key=lambda f: (f.severity != ERROR, f.element))


def errors_of(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == ERROR]
