"""The item type code table and the topic classification, as data administrators can extend."""

from django.db import migrations

ITEM_TYPES = [
    ("01", "行政许可", True),
    ("02", "行政处罚", True),
    ("03", "行政强制", True),
    ("04", "行政征收", True),
    ("05", "行政给付", True),
    ("06", "行政检查", True),
    ("07", "行政确认", True),
    ("08", "行政奖励", True),
    ("09", "行政裁决", True),
    ("10", "其他行政权力", True),
    ("20", "公共服务", False),
]

TOPICS = [
    # persons' life events
    ("birth-adoption", "生育收养", "person"),
    ("household", "户籍办理", "person"),
    ("marriage", "婚姻登记", "person"),
    ("social-security", "社会保障", "person"),
    ("housing", "住房保障", "person"),
    ("employment", "就业创业", "person"),
    ("education", "教育科研", "person"),
    ("medical", "医疗卫生", "person"),
    ("transport", "交通出行", "person"),
    ("civil-affairs", "民政事务", "person"),
    ("elderly", "养老服务", "person"),
    ("disability", "残疾人服务", "person"),
    ("property", "不动产", "person"),
    ("certificates", "证件办理", "person"),
    ("professional-qualification", "职业资格", "person"),
    # enterprises' business events
    ("establishment", "设立变更", "enterprise"),
    ("business-permit", "经营许可", "enterprise"),
    ("construction", "工程建设", "enterprise"),
    ("environment", "环境保护", "enterprise"),
    ("transport-business", "交通运输", "enterprise"),
    ("culture-tourism", "文化旅游", "enterprise"),
    ("agriculture-forestry", "农林水利", "enterprise"),
    ("safety-fire", "安全生产与消防", "enterprise"),
    ("health-permit", "医疗卫生许可", "enterprise"),
    ("education-institution", "教育办学", "enterprise"),
]


def seed(apps, schema_editor):
    ItemType = apps.get_model("catalog", "ItemType")
    Topic = apps.get_model("catalog", "Topic")
    for code, name, is_power in ITEM_TYPES:
        ItemType.objects.get_or_create(code=code, defaults={"name": name, "is_power": is_power})
    for order, (code, name, audience) in enumerate(TOPICS):
        Topic.objects.get_or_create(code=code, defaults={"name": name, "audience": audience, "order": order})


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
