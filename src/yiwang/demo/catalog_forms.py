"""The blank and sample forms of the demo catalog: the profile the sample forms are filled in with
(the demo citizen and enterprise), the forms shared by several items with their own rows, and the
page of each form (`form_page`): an application form follows the item's online form, other signed
documents are short texts. `sample_value` also gives the demo applications their sample answers
(`filling`).
"""

from __future__ import annotations

import re
from typing import Any

from yiwang.demo import region as demo_region
from yiwang.demo.catalog_specs import ItemSpec
from yiwang.demo.files import FormPage

APPLICATION_FORM = re.compile(r"(申请表|申请书|登记表|申报表|审批表|审核表|信息表|备案表|备案书)")

# The profile the sample forms are filled in with (the demo citizen and enterprise).
SAMPLE_ID_NUMBER = demo_region.person_id_number("19850312", "159902", "123")
SAMPLE_USCC = demo_region.enterprise_uscc("159902", "MA0Q1234")
SAMPLE_BY_NAME = {
    "applicant_name": "张三",
    "applicant_id_number": SAMPLE_ID_NUMBER,
    "applicant_phone": "13800138000",
    "enterprise_name": "青山市好味道餐饮有限公司",
    "uscc": SAMPLE_USCC,
    "legal_representative": "张三",
    "agent_name": "张三",
    "agent_id_number": SAMPLE_ID_NUMBER,
    "agent_phone": "13800138000",
    "delivery": "邮寄送达（免费）",
    "partner_id_number": demo_region.person_id_number("19870606", "159902", "246", female=True),
}
SAMPLE_BY_TYPE = {
    "text": "按实际情况填写",
    "textarea": "按实际情况填写",
    "number": "1",
    "money": "1000.00",
    "date": "2026-03-16",
    "id_number": SAMPLE_ID_NUMBER,
    "uscc": SAMPLE_USCC,
    "phone": "13800138000",
    "address": "青山市城关区东城街道光明路8号幸福小区3号楼2单元501室",
}


# Forms shared by several items, with their own rows.
SHARED_FORM_ROWS: dict[str, list[tuple[str, str]]] = {
    "不动产登记申请书": [
        ("申请登记事项", "转移登记（二手房买卖）"),
        ("不动产坐落", "青山市城关区东城街道光明路8号幸福小区3号楼2单元501室"),
        ("不动产单元号", "159902001001GB00012F00020003"),
        ("权利人（申请人）", "张三、李娜"),
        ("义务人", "王建华"),
        ("证件种类及号码", f"居民身份证 {SAMPLE_ID_NUMBER}"),
        ("不动产权证书号", "青（2019）城关区不动产权第0004567号"),
        ("面积（平方米）", "89.60"),
        ("用途", "住宅"),
        ("申请登记原因及证明", "存量房买卖；存量房买卖合同（网签备案号 QS2026-0001234）"),
    ],
    "公司登记（备案）申请书": [
        ("名称", "青山市好味道餐饮有限公司"),
        ("申请事项", "设立登记"),
        ("住所", "青山市城关区新华大街100号"),
        ("法定代表人", "张三"),
        ("注册资本（万元）", "100"),
        ("公司类型", "有限责任公司"),
        ("经营范围", "餐饮服务；食品销售（仅销售预包装食品）"),
        ("联系电话", "13800138000"),
    ],
    "中国公民出入境证件申请表": [
        ("姓名", "张三"),
        ("性别", "男"),
        ("公民身份号码", SAMPLE_ID_NUMBER),
        ("申请类别", "首次申请"),
        ("申请证件", "普通护照"),
        ("出境事由", "旅游"),
        ("紧急联系人及电话", "李娜 13800138001"),
    ],
}


def sample_value(spec: ItemSpec, field_def: dict[str, Any]) -> str:
    name = field_def["name"]
    if name in spec.samples:
        return spec.samples[name]
    if name in SAMPLE_BY_NAME:
        return SAMPLE_BY_NAME[name]
    if field_def["type"] in ("choice", "multichoice"):
        return field_def["options"][0]["label"]
    return SAMPLE_BY_TYPE.get(field_def["type"], "按实际情况填写")


def _sample_raw(spec: ItemSpec, field_def: dict[str, Any]) -> Any:
    """The stored value behind a sample answer (option values for choices), for `show_if`."""
    shown = sample_value(spec, field_def)
    if field_def["type"] == "choice":
        return next((o["value"] for o in field_def["options"] if o["label"] == shown), None)
    if field_def["type"] == "multichoice":
        return [o["value"] for o in field_def["options"] if o["label"] in shown]
    return shown


def _shown_in_sample(spec: ItemSpec, field_def: dict[str, Any], fields: dict[str, dict]) -> bool:
    cond = field_def.get("show_if")
    if not cond:
        return True
    raw = _sample_raw(spec, fields[cond["field"]])
    return raw == cond["equals"] or (isinstance(raw, list) and cond["equals"] in raw)


def form_page(spec: ItemSpec, title: str) -> FormPage:
    """The content of one form: shared forms have their own rows, application forms follow the
    item's online form, other signed documents are short texts."""
    if title in SHARED_FORM_ROWS:
        return FormPage(title, rows=SHARED_FORM_ROWS[title])
    if APPLICATION_FORM.search(title):
        rows, tables = [], []
        fields = {fd["name"]: fd for fd in spec.guide["form_schema"]["fields"]}
        for field_def in fields.values():
            if not _shown_in_sample(spec, field_def, fields):
                if field_def["type"] != "table":
                    rows.append((f"{field_def['label']}（按需填写）", None))
                continue
            if field_def["type"] == "table":
                columns = [c["label"] for c in field_def["columns"]]
                sample_rows = spec.table_samples.get(field_def["name"]) or [
                    [sample_value(spec, c) for c in field_def["columns"]]
                ]
                tables.append((field_def["label"], columns, sample_rows))
            else:
                rows.append((field_def["label"], sample_value(spec, field_def)))
        return FormPage(title, rows=rows, tables=tables)
    if "协议书" in title:
        return FormPage(
            title,
            rows=[("男方", "张三"), ("女方", "李娜"), ("结婚登记日期", "2015年10月1日")],
            paragraphs=[
                "一、男女双方自愿离婚。",
                "二、子女抚养：婚生子张小明由男方抚养，女方每月支付抚养费1500元，直至其年满十八周岁。",
                "三、财产分割：位于青山市城关区的住房一套归男方所有，男方向女方支付折价款二十万元。",
                "四、债权债务：双方确认无共同债权债务。",
                "本协议一式三份，双方各执一份，婚姻登记机关存档一份。",
            ],
            signature="男方、女方（签名）：",
            signer="张三　李娜",
        )
    if "委托书" in title or "授权书" in title:
        return FormPage(
            title,
            rows=[
                ("委托人（授权人）", "张三"),
                ("委托人证件号码", SAMPLE_ID_NUMBER),
                ("受托人（被授权人）", "李娜"),
                ("受托人证件号码", SAMPLE_BY_NAME["partner_id_number"]),
                ("委托（授权）事项", f"代为办理“{spec.name}”的申请、材料提交和结果领取"),
                ("委托期限", "自签署之日起至办结之日止"),
            ],
            signature="委托人（授权人）签名：",
        )
    if "声明书" in title:
        return FormPage(
            title,
            rows=[("声明人", "张三"), ("证件号码", SAMPLE_ID_NUMBER)],
            paragraphs=[
                f"本人就申请“{spec.name}”郑重声明：所填写的信息和提交的材料真实、准确、完整，"
                "不存在法律法规禁止的情形。如有虚假，本人愿意承担由此产生的一切法律责任。"
            ],
            signature="声明人（签名）：",
        )
    return FormPage(
        title,
        rows=[("承诺人", "张三"), ("证件号码", SAMPLE_ID_NUMBER), ("承诺事项", spec.name)],
        paragraphs=[
            f"本人（单位）申请办理“{spec.name}”，现郑重承诺：已知晓办理该事项的全部条件和要求；"
            "所提交的材料真实、合法、有效；符合告知的全部条件，并将按要求接受事后核查。",
            "如承诺不实，愿意承担相应的法律责任，并同意将失信信息记入信用记录。",
        ],
        signature="承诺人（签名或盖章）：",
    )
