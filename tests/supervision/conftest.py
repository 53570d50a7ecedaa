import datetime as dt

import pytest

from api.test_case_documents import api  # noqa: F401 (the API fixture, shared)
from catalog.guide_samples import PDF


@pytest.fixture
def red(make_published, users, deliver_outbox):
    """A case of 张三 at the market regulator left unaccepted past its five working days (submitted
    2026-11-02, due 11-09), and the red card the pass raised on 11-10."""
    from yiwang.cases import clock, drafts
    from yiwang.supervision import services
    from yiwang.supervision.models import Warning

    entry = make_published(promised_limit=10)
    citizen = users["demo-citizen"]
    with clock.frozen(dt.date(2026, 11, 2)):
        case = drafts.start_application(citizen, entry)
        drafts.save_form(citizen, case, {"applicant_name": "张三", "shop_name": "店", "area": 3})
        for item in drafts.checklist(case):
            drafts.attach_material(citizen, case, item.material.pk, PDF, "a.pdf")
        drafts.submit(citizen, case)
        deliver_outbox()
    services.run_pass(dt.date(2026, 11, 10))
    return case, Warning.objects.get(case=case, rule="acceptance_overdue")
