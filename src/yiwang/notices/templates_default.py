"""The messages' default texts; an administrator's edit (MessageTemplate) takes precedence."""

DEFAULTS: dict[str, dict[str, str]] = {
    "case_submitted": {
        "title": "申请已提交：{title}",
        "body": "您申请的“{title}”已提交，办件编号 {number}。受理期限：{due}。",
        "sms": "【一网】您的“{title}”申请已提交，办件编号{number}。",
    },
    "case_correction_requested": {
        "title": "请补正材料：{title}",
        "body": "您申请的“{title}”（{number}）需要补正，请一次性补齐以下内容：\n{items}",
        "sms": "【一网】您的办件{number}需要补正材料，请登录查看一次性告知书。",
    },
    "case_accepted": {
        "title": "已受理：{title}",
        "body": "您申请的“{title}”（{number}）已受理，承诺办结期限：{due}。",
        "sms": "【一网】您的办件{number}已受理，承诺{due}前办结。",
    },
    "case_not_accepted": {
        "title": "不予受理：{title}",
        "body": "您申请的“{title}”（{number}）不予受理。理由：{reason}\n救济途径：{remedy}",
        "sms": "【一网】您的办件{number}不予受理，请登录查看理由和救济途径。",
    },
    "case_suspended": {
        "title": "进入特别程序：{title}",
        "body": "您申请的“{title}”（{number}）进入特别程序（{procedure}），期间不计入办理时限。理由：{reason}",
        "sms": "【一网】您的办件{number}进入特别程序：{procedure}。",
    },
    "case_resumed": {
        "title": "恢复办理：{title}",
        "body": "您申请的“{title}”（{number}）特别程序结束，恢复办理，办结期限：{due}。",
        "sms": "",
    },
    "case_extended": {
        "title": "办理期限延长：{title}",
        "body": "您申请的“{title}”（{number}）办理期限延长 {days} 个工作日，新期限：{due}。理由：{reason}",
        "sms": "【一网】您的办件{number}办理期限延长至{due}。",
    },
    "case_approved": {
        "title": "准予许可：{title}",
        "body": "您申请的“{title}”（{number}）已审批通过。",
        "sms": "【一网】您的办件{number}已审批通过。",
    },
    "case_refused": {
        "title": "不予许可：{title}",
        "body": "您申请的“{title}”（{number}）不予许可。理由：{reason}\n救济途径：{remedy}",
        "sms": "【一网】您的办件{number}不予许可，请登录查看理由和救济途径。",
    },
    "case_completed": {
        "title": "已办结：{title}",
        "body": "您申请的“{title}”（{number}）已办结，送达期限：{due}。",
        "sms": "",
    },
    "case_dispatched": {
        "title": "已寄出：{title}",
        "body": "您申请的“{title}”（{number}）的办理结果已交{carrier}寄出，快递单号：{tracking_number}。签收后即为送达。",
        "sms": "【一网】您的办件{number}结果已寄出，快递单号{tracking_number}。",
    },
    "case_delivered": {
        "title": "已送达：{title}",
        "body": "您申请的“{title}”（{number}）的办理结果已送达：{method}。{detail}",
        "sms": "【一网】您的办件{number}结果已送达：{method}。{detail}",
    },
    "case_terminated": {
        "title": "终止办理：{title}",
        "body": "您申请的“{title}”（{number}）已终止办理。理由：{reason}",
        "sms": "【一网】您的办件{number}已终止办理。",
    },
    "case_withdrawn": {
        "title": "已撤回：{title}",
        "body": "您已撤回“{title}”（{number}）的申请。",
        "sms": "",
    },
    "case_commitment_overdue": {
        "title": "容缺材料逾期未补：{title}",
        "body": "您申请的“{title}”（{number}）承诺于 {due} 前补齐的材料尚未提交：{items}",
        "sms": "【一网】您的办件{number}容缺材料已逾期，请尽快补齐。",
    },
    "rating_invitation": {
        "title": "请评价：{title}",
        "body": "您申请的“{title}”（{number}）已{stage}，欢迎对这次服务作出评价（好差评），您的意见将帮助我们改进。评价自愿，不评价不影响办理。",
        "sms": "【一网】您的办件{number}已{stage}，欢迎登录“我的办件”评价本次服务。",
    },
    "rating_bad_received": {
        "title": "收到差评，请整改：{title}",
        "body": "办件 {number}（{title}）收到{level}评价。请于 {contact_due} 前联系申请人核实，{answer_due} 前整改并答复。",
        "sms": "【一网】办件{number}收到差评，请于{contact_due}前回访核实。",
    },
    "rating_answered": {
        "title": "差评整改答复：{title}",
        "body": "您对“{title}”（{number}）的评价，{department}已答复：\n{answer}\n您可以在“我的办件”中评价整改结果。",
        "sms": "【一网】您对办件{number}的评价已收到整改答复，请登录查看。",
    },
    "supervision_red": {
        "title": "电子监察红牌预警",
        "body": "本部门新增红牌预警 {red} 条、黄牌预警 {yellow} 条，请在两个工作日内说明原因和措施。",
        "sms": "【一网】电子监察：本部门新增红牌预警{red}条，请及时处理并说明。",
    },
    "supervision_red_watched": {
        "title": "电子监察红牌预警：{department}",
        "body": "{department}新增红牌预警 {red} 条、黄牌预警 {yellow} 条。可在电子监察中查看原因说明，必要时督办。",
        "sms": "",
    },
    "supervision_order": {
        "title": "督办通知",
        "body": "监察人员对本部门发出督办，请按要求在期限内办理并反馈。",
        "sms": "【一网】您部门收到一条督办，请登录工作台查看并按期反馈。",
    },
    "bundle_submitted": {
        "title": "一件事申请已提交：{title}",
        "body": "您的“{title}”一件事申请已提交，申请编号 {number}。已开始办理：{started}；等待前置事项办结后自动办理：{waiting}。",
        "sms": "【一网】您的“{title}”一件事申请已提交，编号{number}。",
    },
    "bundle_case_started": {
        "title": "一件事自动办理：{case_title}",
        "body": "您的“{title}”一件事（{number}）中，“{case_title}”的前置事项已办结，已自动提交办理，办件编号 {case_number}，前置证照已作为申请材料，无需您再提交。",
        "sms": "【一网】您的一件事{number}中“{case_title}”已自动提交办理。",
    },
    "bundle_stopped": {
        "title": "一件事部分事项未能办理：{title}",
        "body": "您的“{title}”一件事（{number}）中，{stopped}未能启动。原因：{reason}",
        "sms": "【一网】您的一件事{number}部分事项未能办理，请登录查看原因。",
    },
}

# The same messages in English (issue 13), for accounts that use the English pages: the same
# placeholders, but for counts that English must inflect (`{days_text}`: "1 working day", "5 working
# days", filled by `services.render`) and words given only in Chinese (a rating's stage or level),
# which an English text leaves out.
ENGLISH: dict[str, dict[str, str]] = {
    "case_submitted": {
        "title": "Application submitted: {title}",
        "body": "Your application “{title}” has been submitted; case number {number}. "
        "It will be accepted or refused by {due}.",
        "sms": "[Yiwang] Your application “{title}” has been submitted; case number {number}.",
    },
    "case_correction_requested": {
        "title": "Please complete your application: {title}",
        "body": "Your application “{title}” ({number}) needs corrections. "
        "Please provide all of the following at once:\n{items}",
        "sms": "[Yiwang] Case {number} needs corrections: please sign in to read the list.",
    },
    "case_accepted": {
        "title": "Accepted: {title}",
        "body": "Your application “{title}” ({number}) has been accepted. It will be decided by {due}.",
        "sms": "[Yiwang] Case {number} has been accepted and will be decided by {due}.",
    },
    "case_not_accepted": {
        "title": "Not accepted: {title}",
        "body": "Your application “{title}” ({number}) has not been accepted. Reason: {reason}\n"
        "How to appeal: {remedy}",
        "sms": "[Yiwang] Case {number} was not accepted: please sign in to read the reason and how to appeal.",
    },
    "case_suspended": {
        "title": "Special procedure: {title}",
        "body": "Your application “{title}” ({number}) is in a special procedure ({procedure}); "
        "the time it takes does not count towards the time limit. Reason: {reason}",
        "sms": "[Yiwang] Case {number} is in a special procedure: {procedure}.",
    },
    "case_resumed": {
        "title": "Handling resumed: {title}",
        "body": "The special procedure for your application “{title}” ({number}) has ended and "
        "handling has resumed. It will be decided by {due}.",
        "sms": "",
    },
    "case_extended": {
        "title": "Time limit extended: {title}",
        "body": "The time limit for your application “{title}” ({number}) has been extended by "
        "{days_text}; it will be decided by {due}. Reason: {reason}",
        "sms": "[Yiwang] The time limit for case {number} has been extended to {due}.",
    },
    "case_approved": {
        "title": "Approved: {title}",
        "body": "Your application “{title}” ({number}) has been approved.",
        "sms": "[Yiwang] Case {number} has been approved.",
    },
    "case_refused": {
        "title": "Refused: {title}",
        "body": "Your application “{title}” ({number}) has been refused. Reason: {reason}\n"
        "How to appeal: {remedy}",
        "sms": "[Yiwang] Case {number} was refused: please sign in to read the reason and how to appeal.",
    },
    "case_completed": {
        "title": "Completed: {title}",
        "body": "Your application “{title}” ({number}) has been completed. The result will reach "
        "you by {due}.",
        "sms": "",
    },
    "case_dispatched": {
        "title": "Sent: {title}",
        "body": "The result of your application “{title}” ({number}) has been sent with {carrier}; "
        "tracking number {tracking_number}. It counts as delivered once you sign for it.",
        "sms": "[Yiwang] The result of case {number} has been sent; tracking number {tracking_number}.",
    },
    "case_delivered": {
        "title": "Delivered: {title}",
        "body": "The result of your application “{title}” ({number}) has been delivered: {method}. {detail}",
        "sms": "[Yiwang] The result of case {number} has been delivered: {method}. {detail}",
    },
    "case_terminated": {
        "title": "Handling ended: {title}",
        "body": "Handling of your application “{title}” ({number}) has ended. Reason: {reason}",
        "sms": "[Yiwang] Handling of case {number} has ended.",
    },
    "case_withdrawn": {
        "title": "Withdrawn: {title}",
        "body": "You have withdrawn your application “{title}” ({number}).",
        "sms": "",
    },
    "case_commitment_overdue": {
        "title": "Promised materials overdue: {title}",
        "body": "For your application “{title}” ({number}) you promised to provide these materials "
        "by {due}, and they have not arrived: {items}",
        "sms": "[Yiwang] The materials you promised for case {number} are overdue: please provide them soon.",
    },
    "rating_invitation": {
        "title": "Please rate our service: {title}",
        "body": "Your application “{title}” ({number}) has moved on. You are welcome to rate our "
        "service; your opinion helps us improve. Rating is voluntary and does not affect your case.",
        "sms": "[Yiwang] You are welcome to rate our service for case {number} under “My cases”.",
    },
    "rating_bad_received": {
        "title": "Poor rating, action needed: {title}",
        "body": "Case {number} ({title}) was rated “{level}”. Please contact the applicant by "
        "{contact_due} and put things right and reply by {answer_due}.",
        "sms": "[Yiwang] Case {number} received a poor rating: please contact the applicant by {contact_due}.",
    },
    "rating_answered": {
        "title": "Reply to your rating: {title}",
        "body": "{department} has replied to your rating of “{title}” ({number}):\n{answer}\n"
        "You can rate how they put things right under “My cases”.",
        "sms": "[Yiwang] Your rating of case {number} has been answered: please sign in to read it.",
    },
    "supervision_red": {
        "title": "E-supervision red alert",
        "body": "New alerts for your department: red {red}, yellow {yellow}. Please explain the "
        "causes and the measures taken within two working days.",
        "sms": "[Yiwang] E-supervision: new red alerts for your department: {red}. Please deal with them.",
    },
    "supervision_red_watched": {
        "title": "E-supervision red alert: {department}",
        "body": "New alerts for {department}: red {red}, yellow {yellow}. See their explanations in "
        "e-supervision and order action where needed.",
        "sms": "",
    },
    "supervision_order": {
        "title": "Supervision order",
        "body": "A supervisor has issued an order to your department: please act on it and report "
        "back within the time limit.",
        "sms": "[Yiwang] Your department has a supervision order: please sign in to the workbench.",
    },
    "bundle_submitted": {
        "title": "Life event application submitted: {title}",
        "body": "Your application for “{title}” has been submitted; application number {number}. "
        "Started: {started}. Starting by itself once the services it depends on are completed: {waiting}.",
        "sms": "[Yiwang] Your application for “{title}” has been submitted; number {number}.",
    },
    "bundle_case_started": {
        "title": "Started for you: {case_title}",
        "body": "In your application for “{title}” ({number}), the services that “{case_title}” "
        "depends on are completed, so it has been submitted for you: case number {case_number}. "
        "Their licences serve as its materials; you need not provide them again.",
        "sms": "[Yiwang] In application {number}, “{case_title}” has been submitted for you.",
    },
    "bundle_stopped": {
        "title": "Some services could not be started: {title}",
        "body": "In your application for “{title}” ({number}), {stopped} could not be started. Reason: {reason}",
        "sms": "[Yiwang] Some services of application {number} could not be started: please sign in to read why.",
    },
}
