"""Where and when each department receives applicants, and whom to call. Every department's
items default to its own hall window; a featured item may name a more specific place."""

from __future__ import annotations

HOURS = "周一至周五 9:00-12:00，13:30-17:00（法定节假日除外）"
HOURS_SUMMER = "周一至周五 9:00-12:00，14:30-17:30（法定节假日除外；10月至次年4月下午 13:30-17:00）"
HOURS_TOWNSHIP = "周一至周五 8:30-12:00，14:30-17:30（法定节假日除外）"
HOURS_WEEKEND = "周一至周五 9:00-12:00，13:30-17:00；周六 9:00-12:00（法定节假日除外）"
HALL = "青山市城关区新华大街88号青山市政务服务中心"
CITY_COMPLAINT = "12345"

# key: (location, hours, consultation phone, complaint phone)
SITES: dict[str, tuple[str, str, str, str]] = {
    "city_gov_service": (f"{HALL}一楼综合咨询台", HOURS, "0471-8120000", "0471-8129999"),
    "city_market": (f"{HALL}二楼市场监管综合窗口（8-12号）", HOURS, "0471-8122301", CITY_COMPLAINT),
    "city_public_security": (
        f"{HALL}一楼公安综合窗口（1-4号）",
        HOURS_WEEKEND,
        "0471-8122110",
        CITY_COMPLAINT,
    ),
    "city_hrss": (f"{HALL}三楼人社窗口（20-26号）", HOURS, "0471-8122333", CITY_COMPLAINT),
    "city_civil_affairs": (f"{HALL}三楼民政窗口（27-28号）", HOURS, "0471-8122401", CITY_COMPLAINT),
    "city_housing_fund": (
        "青山市城关区建设路56号青山市住房公积金管理中心一楼服务大厅",
        HOURS,
        "0471-8122345",
        CITY_COMPLAINT,
    ),
    "city_natural_resources": (
        "青山市城关区建设路60号青山市不动产登记中心一楼登记大厅",
        HOURS_WEEKEND,
        "0471-8122501",
        CITY_COMPLAINT,
    ),
    "city_housing": (f"{HALL}四楼工程建设项目审批综合窗口（31-35号）", HOURS, "0471-8122601", CITY_COMPLAINT),
    "city_health": (f"{HALL}二楼卫生健康窗口（15-16号）", HOURS, "0471-8122701", CITY_COMPLAINT),
    "city_education": (f"{HALL}二楼教育窗口（17号）", HOURS, "0471-8122801", CITY_COMPLAINT),
    "city_transport": (f"{HALL}四楼交通运输窗口（36-37号）", HOURS, "0471-8122901", CITY_COMPLAINT),
    "city_ecology": (f"{HALL}四楼生态环境窗口（38号）", HOURS, "0471-8123001", CITY_COMPLAINT),
    "city_medical_security": (f"{HALL}三楼医保窗口（29-30号）", HOURS, "0471-8123101", CITY_COMPLAINT),
    "city_water": (f"{HALL}四楼水利窗口（39号）", HOURS, "0471-8123201", CITY_COMPLAINT),
    "city_forestry": (f"{HALL}四楼林草窗口（40号）", HOURS, "0471-8123301", CITY_COMPLAINT),
    "city_culture": (f"{HALL}二楼文化旅游体育窗口（18号）", HOURS, "0471-8123401", CITY_COMPLAINT),
    "city_fire": (f"{HALL}四楼消防窗口（41号）", HOURS, "0471-8123119", CITY_COMPLAINT),
    "city_emergency": (f"{HALL}四楼应急管理窗口（42号）", HOURS, "0471-8123501", CITY_COMPLAINT),
    "city_urban_management": (f"{HALL}四楼城市管理窗口（43号）", HOURS, "0471-8123601", CITY_COMPLAINT),
    "city_disabled": (
        "青山市城关区和平路20号青山市残疾人综合服务中心一楼服务窗口",
        HOURS,
        "0471-8123701",
        CITY_COMPLAINT,
    ),
    "chengguan_service": (
        "青山市城关区文化路20号城关区政务服务中心一楼综合窗口",
        HOURS_SUMMER,
        "0471-8210001",
        "0471-8219999",
    ),
    "chengguan_market": (
        "青山市城关区文化路20号城关区政务服务中心二楼市场监管窗口",
        HOURS_SUMMER,
        "0471-8210301",
        "0471-8219999",
    ),
    "beihe_service": (
        "北河县北河镇人民路15号北河县政务服务中心一楼综合窗口",
        HOURS_SUMMER,
        "0471-6610001",
        "0471-6619999",
    ),
    "beihe_civil_affairs": (
        "北河县北河镇人民路15号北河县政务服务中心二楼民政窗口",
        HOURS_SUMMER,
        "0471-6610401",
        "0471-6619999",
    ),
    "nanyuan_service": (
        "南原市新华街道站前路66号南原市政务服务中心一楼综合窗口",
        HOURS_SUMMER,
        "0471-5510001",
        "0471-5519999",
    ),
    "dongcheng_service": (
        "青山市城关区东城街道光明路8号东城街道便民服务中心一楼综合窗口",
        HOURS_TOWNSHIP,
        "0471-8230001",
        "0471-8219999",
    ),
    "beihe_town_service": (
        "北河县北河镇团结街3号北河镇便民服务中心综合窗口",
        HOURS_TOWNSHIP,
        "0471-6630001",
        "0471-6619999",
    ),
    "xinhua_service": (
        "南原市新华街道解放路21号新华街道便民服务中心综合窗口",
        HOURS_TOWNSHIP,
        "0471-5530001",
        "0471-5519999",
    ),
    "liushu_service": (
        "北河县柳树乡柳树村幸福街1号柳树乡便民服务中心综合窗口",
        HOURS_TOWNSHIP,
        "0471-6640001",
        "0471-6619999",
    ),
}

# Places of particular items (by department), more specific than the department's hall window.
MARRIAGE_REGISTRY = "青山市城关区和平路12号青山市婚姻登记处一楼登记大厅"
VEHICLE_OFFICE = "青山市城关区迎宾大道199号青山市公安局交通管理支队车辆管理所业务大厅"
HOSPITAL_BIRTH = "青山市城关区健康路9号青山市妇幼保健院门诊楼一楼出生医学证明办理窗口"
BEIHE_MARRIAGE = "北河县北河镇人民路15号北河县政务服务中心二楼婚姻登记处"
HOURS_MARRIAGE = (
    "周一至周五 9:00-12:00，13:30-17:00；2月14日、5月20日及农历七夕遇周末正常办理（法定节假日除外）"
)
HOURS_VEHICLE = "周一至周五 8:30-12:00，13:30-17:30；周六 9:00-12:00（法定节假日除外）"
