"""Seed data (issue 5): the 31 mainland provincial market-regulation bureaus and public-security departments, the
owners of the platforms merchants.0005 describes, the China Consumers Association, and the risk rules.

Contact addresses are on reserved example domains (RFC 2606): operators replace them with the real ones.
"""

from django.db import migrations

# code: (province in Chinese, in English, "m" municipality / "p" province / "r" autonomous region)
PROVINCES = {
    "110000": ("北京市", "Beijing", "m"),
    "120000": ("天津市", "Tianjin", "m"),
    "130000": ("河北省", "Hebei", "p"),
    "140000": ("山西省", "Shanxi", "p"),
    "150000": ("内蒙古自治区", "Inner Mongolia", "r"),
    "210000": ("辽宁省", "Liaoning", "p"),
    "220000": ("吉林省", "Jilin", "p"),
    "230000": ("黑龙江省", "Heilongjiang", "p"),
    "310000": ("上海市", "Shanghai", "m"),
    "320000": ("江苏省", "Jiangsu", "p"),
    "330000": ("浙江省", "Zhejiang", "p"),
    "340000": ("安徽省", "Anhui", "p"),
    "350000": ("福建省", "Fujian", "p"),
    "360000": ("江西省", "Jiangxi", "p"),
    "370000": ("山东省", "Shandong", "p"),
    "410000": ("河南省", "Henan", "p"),
    "420000": ("湖北省", "Hubei", "p"),
    "430000": ("湖南省", "Hunan", "p"),
    "440000": ("广东省", "Guangdong", "p"),
    "450000": ("广西壮族自治区", "Guangxi", "r"),
    "460000": ("海南省", "Hainan", "p"),
    "500000": ("重庆市", "Chongqing", "m"),
    "510000": ("四川省", "Sichuan", "p"),
    "520000": ("贵州省", "Guizhou", "p"),
    "530000": ("云南省", "Yunnan", "p"),
    "540000": ("西藏自治区", "Tibet", "r"),
    "610000": ("陕西省", "Shaanxi", "p"),
    "620000": ("甘肃省", "Gansu", "p"),
    "630000": ("青海省", "Qinghai", "p"),
    "640000": ("宁夏回族自治区", "Ningxia", "r"),
    "650000": ("新疆维吾尔自治区", "Xinjiang", "r"),
}

# The few bureaus not called 市场监督管理局 after the 2018 reform.
REGULATOR_NAMES = {
    "120000": ("天津市市场监督管理委员会", "Tianjin Market Regulation Commission"),
    "640000": ("宁夏回族自治区市场监督管理厅", "Ningxia Department of Market Regulation"),
}

# Mail domains of the platform owners, by the platforms they run (merchants.0005 names the owners).
OWNER_SLUGS = {
    "wechat_mini_program": "tencent",
    "wechat_social": "tencent",
    "wechat_official_account": "tencent",
    "alipay_mini_program": "alipay",
    "taobao_tmall": "taobao",
    "jd": "jd",
    "pinduoduo": "pinduoduo",
    "douyin": "douyin",
    "kuaishou": "kuaishou",
    "xiaohongshu": "xiaohongshu",
    "meituan": "meituan",
}

# Volume raises the score but does not escalate by itself: a large, steady merchant always has 20 complaints in 30
# days. A surge against its own baseline, or vanished/young-company signals, are what reach authorities.
NOT_ESCALATING = {"volume"}
RULES = {
    "surge": (60, {"min_count": 5, "window_hours": 24, "baseline_days": 30, "max_tail": 0.001}),
    "volume": (40, {"min_count": 20, "min_loss": "100000", "window_days": 30}),
    "vanished": (60, {"min_count": 3, "window_days": 7, "categories": ["merchant_vanished", "not_delivered"]}),
    "young_company": (30, {"max_age_days": 180, "min_count": 3}),
    "manual": (100, {}),
}


def _police_names(zh, en, kind):
    if kind == "m":
        return f"{zh}公安局", f"{en} Public Security Bureau"
    if kind == "p":
        return f"{zh}公安厅", f"{en} Provincial Department of Public Security"
    return f"{zh}公安厅", f"{en} Department of Public Security"


def seed(apps, schema_editor):
    Authority = apps.get_model("escalations", "Authority")
    Platform = apps.get_model("merchants", "Platform")
    RiskRule = apps.get_model("escalations", "RiskRule")

    for code, (zh, en, kind) in PROVINCES.items():
        default = (f"{zh}市场监督管理局", f"{en} Administration for Market Regulation")
        name_zh, name_en = REGULATOR_NAMES.get(code, default)
        Authority.objects.update_or_create(
            kind="market_regulator",
            region=code,
            defaults={"name_zh": name_zh, "name_en": name_en, "contact_emails": [f"complaints@{code}.amr.example.gov"]},
        )
        name_zh, name_en = _police_names(zh, en, kind)
        Authority.objects.update_or_create(
            kind="police",
            region=code,
            defaults={"name_zh": name_zh, "name_en": name_en, "contact_emails": [f"fraud@{code}.police.example.gov"]},
        )

    owners = {}
    for platform in Platform.objects.exclude(owner_zh="").order_by("code"):
        owners.setdefault(platform.owner_zh, []).append(platform)
    for owner_zh, platforms in owners.items():
        first = platforms[0]
        slug = OWNER_SLUGS.get(first.code, first.code.replace("_", "-"))
        owner, _ = Authority.objects.update_or_create(
            kind="platform_owner",
            name_zh=owner_zh,
            defaults={"name_en": first.owner_en, "region": "", "contact_emails": [f"trust-safety@{slug}.example.com"]},
        )
        owner.platforms.set(platforms)

    Authority.objects.update_or_create(
        kind="consumer_association",
        name_zh="中国消费者协会",
        defaults={
            "name_en": "China Consumers Association",
            "region": "",
            "contact_emails": ["complaints@cca.example.org"],
        },
    )

    for code, (points, params) in RULES.items():
        RiskRule.objects.get_or_create(
            code=code, defaults={"points": points, "params": params, "escalates": code not in NOT_ESCALATING}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("escalations", "0001_initial"),
        ("merchants", "0005_platform_owners_trigrams"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
