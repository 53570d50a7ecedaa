"""What the demo applicants say when they rate (the comments of each channel and level) and the
demo 差评: each one's story (what the department found and did about it) and the scenario that
takes it through the loop (差评整改) to a step of its own. Pure data, read by `rating_plans` and
`ratings`.
"""

from __future__ import annotations

from dataclasses import dataclass

from yiwang.ratings import rules
from yiwang.ratings.rules import Channel, LoopState

# --- What applicants say --------------------------------------------------------------------------

GOOD_COMMENTS = {
    Channel.ONLINE: [
        "网上就办完了，一次都没跑，点赞！",
        "材料清单写得很清楚，一次就通过了。",
        "比承诺的时间快了好几天，很满意。",
        "进度随时能查，每一步都有短信通知，很贴心。",
        "第一次在网上办，比想象中简单多了。",
        "电子证照直接调用，不用再上传复印件，方便。",
        "晚上在家就提交了，第二天就受理了。",
        "审核人员打电话提醒我补充材料，很负责。",
        "结果寄到家里，省得再跑一趟。",
    ],
    Channel.WINDOW: [
        "窗口工作人员很耐心，帮我把表格逐项核对了一遍。",
        "当场就办好了，效率很高。",
        "排队时间不长，工作人员态度很好。",
        "老人办事有人帮着填表，很周到。",
        "一个窗口就办完了，不用来回跑。",
        "工作人员讲得很清楚，一次就办成了。",
    ],
}
FAIR_COMMENTS = {
    Channel.ONLINE: [
        "整体不错，就是等待时间稍长。",
        "办得挺顺利，希望材料还能再精简一些。",
        "服务挺好，网站上传材料有时候有点慢。",
    ],
    Channel.WINDOW: [
        "办得挺顺利，就是排队时间有点长。",
        "服务不错，希望能多开几个窗口。",
    ],
}
BASIC_COMMENTS = [
    "基本顺利，中间补正了一次，指南可以写得更清楚些。",
    "等的时间比较长，不过最后办成了。",
    "能办成，但有些材料要求说得不太明白。",
]
PHONE_COMMENTS = [
    "回访时申请人表示办理顺利，对服务满意。",
    "申请人电话中表示结果已收到，办理很快。",
    "申请人表示工作人员解释清楚，满意。",
]
SMS_COMMENTS = ["短信回复：满意，谢谢。", "短信回复：很好，办得快。", "短信回复：满意。"]


@dataclass(frozen=True)
class Story:
    """One 差评 and what the department found and did about it."""

    level: int
    tags: tuple[str, ...]
    comment: str
    finding: str = "founded"  # founded / partly / unfounded
    verification: str = ""
    kind: str = "rectified"  # rectified / explained
    rectification: str = ""
    answer: str = ""
    visit: str = ""
    appeal: str = ""
    ruling: str = ""


STORIES: dict[str, Story] = {
    "slow_acceptance": Story(
        2,
        ("办理慢",),
        "网上提交后等了好几天才受理，打电话问了两次都说在排队，也没人告诉我大概要多久。",
        finding="partly",
        verification="经电话联系申请人并调阅办件记录，该件在法定期限内受理，但受理前未告知申请人"
        "排队情况和预计受理时间，申请人反映的情况部分属实。",
        rectification="已要求窗口对网上申请当日完成初审，不能当日受理的通过短信告知预计受理时间。",
        answer="您好，您的申请已受理，正在审查中。您反映的受理前不知道进度的问题，我们已改为当日"
        "初审并短信告知预计受理时间。感谢您的监督。",
        visit="电话回访，申请人表示已收到受理通知，对答复表示认可。",
    ),
    "slow": Story(
        2,
        ("办理慢", "超时未办结"),
        "提交材料后一直显示审查中，打电话问也说不清什么时候能办完，等了很久。",
        verification="经电话联系申请人并调阅办件记录，该件在审查环节停留时间较长，期间未主动告知"
        "申请人办理进度，情况属实。",
        rectification="已在科室内通报该件办理情况，要求承办人员每日跟踪在办件进度；需要较长时间的，"
        "主动以短信告知申请人办理进度和预计办结时间。",
        answer="您好，您反映的办理进度不透明问题经核实属实。我们已要求承办人员主动告知办理进度，"
        "对给您带来的不便深表歉意，感谢您的监督。",
        visit="电话回访，申请人表示已收到办理结果，对整改措施表示认可。",
    ),
    "duplicate": Story(
        1,
        ("材料重复提交", "多次跑腿"),
        "系统里能查到的身份证明，补正时又让我上传复印件，还专门跑了一趟窗口交原件。",
        finding="partly",
        verification="经电话联系申请人并调阅办件记录，补正通知要求提交可通过系统核验的身份证明材料"
        "属实；到窗口递交原件系申请人自行前往，补正可在网上完成。部分属实。",
        rectification="已在该事项材料清单中将身份证明改为系统核验，不再要求上传复印件；组织窗口和"
        "审查人员学习“三个凡是”要求，能通过共享或电子证照获取的材料一律不再要求申请人提交。",
        answer="您好，经核实，补正时要求您重复提交可通过系统核验的身份证明材料，确属我们工作不到位。"
        "该事项已改为系统核验身份信息，不再需要上传复印件，补正材料也可以直接在网上提交，无需到"
        "窗口。对给您带来的不便深表歉意。",
        visit="电话回访，申请人表示已看到答复，希望其他事项也能这样办。",
    ),
    "guide": Story(
        2,
        ("指南不清楚", "多次跑腿"),
        "办事指南上写的材料和实际要求的不一样，按指南准备的材料被退回补正。",
        verification="经核对办事指南，“经营场所证明”一项表述不够具体，未写明租赁场所须同时提交"
        "产权证明，情况属实。",
        rectification="已修订该事项办事指南，写明租赁场所须提交租赁合同和产权证明复印件，并补充"
        "填写示例；修订后的指南已发布。",
        answer="您好，您反映的办事指南表述不清问题属实。我们已修订指南、补充示例，给您带来不便深表歉意。",
        visit="电话回访，申请人表示新指南清楚多了。",
    ),
    "system": Story(
        2,
        ("系统难用",),
        "网上提交时上传材料总是失败，换了浏览器才传上去，折腾了一晚上。",
        finding="partly",
        verification="经联系申请人并会同平台运维人员核查，当晚确有较大扫描件上传超时的情况，"
        "其他时段正常，部分属实。",
        rectification="已会同平台运维单位调整上传超时设置，并在上传页面增加文件大小提示和压缩说明。",
        answer="您好，您反映的材料上传失败问题已查明，系较大文件上传超时所致，现已修复并增加提示。"
        "感谢您的反馈。",
        visit="短信回访，申请人回复：后来再上传就正常了。",
    ),
    "explained": Story(
        2,
        ("办理慢",),
        "从交材料到拿到结果时间太长了，中间也没人解释为什么。",
        finding="unfounded",
        verification="经调阅办件记录，该件自受理至办结均在承诺时限内，未发现超期；申请人所说的"
        "等待时间包含受理前的材料审核时间。不属实。",
        kind="explained",
        rectification="该件办理符合规定，已向申请人说明办理时限的计算方式；同时在办事指南中补充"
        "说明各环节的办理时间。",
        answer="您好，经核实，您的申请自受理至办结在承诺时限内完成，受理前的材料审核时间不计入"
        "办理时限。我们已在办事指南中补充说明各环节的时间，感谢您的理解。",
        visit="电话回访，申请人对说明不完全认可，认为整体时间仍然偏长。",
    ),
    "attitude": Story(
        2,
        ("态度不好",),
        "窗口工作人员不耐烦，问了两遍就让我“自己看指南”，态度生硬。",
        verification="调取窗口服务视频并电话联系申请人核实，该窗口工作人员解答咨询时语气生硬、"
        "未耐心解释，情况属实。",
        rectification="已对当事窗口工作人员批评教育并在中心内部通报，扣减当月服务考核分；组织窗口"
        "人员开展服务规范和首问负责制培训。",
        answer="您好，您反映的窗口服务态度问题经核实属实。我们已对当事工作人员批评教育并组织全体"
        "窗口人员培训，再次向您致歉，欢迎继续监督。",
        visit="电话回访，申请人表示接受道歉，希望窗口服务态度保持下去。",
        appeal="经查叫号记录，该申请人当日在综合窗口办理了两个事项，评价器弹出时其办理的是其他"
        "部门的业务，评价对象有误，申请认定为误评。",
        ruling="经调取叫号记录和窗口视频，申请人评价时正在本窗口办理该事项，评价对象无误，"
        "申诉不成立，请按规定完成整改和答复。",
    ),
    "malicious": Story(
        1,
        ("办理慢", "态度不好"),
        "不给办还让我等这么久，什么服务！差评！",
        finding="unfounded",
        verification="经调阅办件记录并调取录音录像，工作人员已一次性告知不予办理的理由和救济途径，"
        "办理在法定期限内完成，服务过程规范。申请人在电话中表示“不给办就给差评”。不属实。",
        appeal="申请人不符合法定条件，我局依法作出决定并书面告知理由和救济途径，办理未超期限，"
        "服务过程有录音录像为证；申请人明确表示因未获办理而给予差评，与服务质量无关，属恶意差评。",
        ruling="经调阅办件记录和录音录像，办理过程规范、未超期限，申请人给予差评的理由与服务质量"
        "无关，认定为恶意差评，不计入满意度统计，整改结束。",
    ),
    "pending_appeal": Story(
        1,
        ("多次跑腿",),
        "办个证这么麻烦，太折腾人了。",
        finding="unfounded",
        verification="经电话联系申请人并调阅办件记录，该件材料一次提交齐全、当日受理，办理用时远低于"
        "承诺时限；申请人电话中未能说明具体问题。不属实。",
        appeal="该件材料一次提交齐全、当日受理，未要求申请人补正或到现场，办理用时远低于承诺时限；"
        "评价内容与实际办理情况不符，申请人亦未能说明具体问题，申请认定为恶意差评。",
    ),
}


# --- The loop's scenarios -----------------------------------------------------------------------

RECTIFICATION_VIEWS = {
    "satisfied": rules.FollowUpRating.SATISFIED,
    "basic": rules.FollowUpRating.BASIC,
    "dissatisfied": rules.FollowUpRating.DISSATISFIED,
}


@dataclass(frozen=True)
class Scenario:
    """A 差评 given `ages` working days before today and the loop's actions after it, each
    (action, working days after the rating); an action marked optional (ending in "?") happens
    only if its day is before today."""

    name: str
    story: str
    ages: tuple[int, int]
    actions: tuple[tuple[str, int], ...] = ()
    zhang: bool = False  # on 张三's own case
    market: bool = False  # rather the market regulator's (its demo staff have the follow-up)
    refused: bool = False  # rather a stage opened by a refusal (不予受理, 不予许可)
    window: bool = False  # at the counter's device; else online by the applicant
    covers: str = ""  # skipped when an earlier scenario left a loop in this state
    recent: bool = False  # the most recent fitting stage rather than one at random


SCENARIOS = (
    # 张三's: the department answered, his rating of the rectification awaited.
    Scenario(
        "zhang_answered",
        "duplicate",
        (5, 15),
        (("verify", 1), ("rectify", 2), ("answer", 4), ("return_visit?", 6)),
        zhang=True,
        recent=True,
    ),
    # 张三's: the market regulator has it to verify (or, a day later, to rectify).
    Scenario(
        "zhang_open", "slow_acceptance", (1, 3), (("verify?", 1),), zhang=True, market=True, recent=True
    ),
    Scenario("verify", "slow", (1, 1), market=True, covers=LoopState.VERIFY),
    Scenario("rectify", "guide", (2, 4), (("verify", 1),), market=True, covers=LoopState.RECTIFY),
    Scenario("answer", "system", (3, 4), (("verify", 1), ("rectify", 2)), covers=LoopState.ANSWER),
    Scenario(
        "return_visit",
        "slow",
        (5, 6),
        (("verify", 1), ("rectify", 2), ("answer", 4)),
        covers=LoopState.RETURN_VISIT,
    ),
    # Verified, never rectified: the answer is overdue (red).
    Scenario("overdue", "slow", (8, 14), (("verify", 1),), market=True),
    Scenario(
        "appeal_pending", "pending_appeal", (2, 5), (("verify", 1), ("appeal:malicious", 1)), market=True
    ),
    Scenario(
        "appeal_upheld",
        "malicious",
        (8, 25),
        (("verify", 1), ("appeal:malicious", 1), ("uphold", 3)),
        market=True,
        refused=True,
    ),
    Scenario(
        "appeal_rejected",
        "attitude",
        (10, 28),
        (
            ("verify", 1),
            ("appeal:mistaken", 1),
            ("reject", 3),
            ("rectify", 4),
            ("answer", 5),
            ("return_visit", 6),
        ),
        window=True,
    ),
    Scenario(
        "closed_satisfied",
        "duplicate",
        (8, 30),
        (("verify", 1), ("rectify", 2), ("answer", 4), ("view:satisfied", 4), ("return_visit", 5)),
    ),
    Scenario(
        "closed_basic",
        "guide",
        (8, 30),
        (("verify", 1), ("rectify", 3), ("answer", 5), ("return_visit", 6), ("view:basic", 6)),
        market=True,
    ),
    # The verification came a day late (flagged), the explanation did not convince the applicant.
    Scenario(
        "closed_late",
        "explained",
        (9, 30),
        (("verify_late", 2), ("rectify", 4), ("answer", 5), ("view:dissatisfied", 5), ("return_visit", 6)),
    ),
)
