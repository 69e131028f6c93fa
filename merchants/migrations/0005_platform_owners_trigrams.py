from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# code: (name in Chinese, name in English, owner in Chinese, owner in English, owner's province)
PLATFORMS = {
    "wechat_mini_program": ("微信小程序", "WeChat mini program", "深圳市腾讯计算机系统有限公司", "Shenzhen Tencent Computer Systems Co., Ltd.", "440000"),
    "wechat_social": ("微信朋友圈和聊天", "WeChat Moments and chats", "深圳市腾讯计算机系统有限公司", "Shenzhen Tencent Computer Systems Co., Ltd.", "440000"),
    "wechat_official_account": ("微信公众号", "WeChat official account", "深圳市腾讯计算机系统有限公司", "Shenzhen Tencent Computer Systems Co., Ltd.", "440000"),
    "alipay_mini_program": ("支付宝小程序", "Alipay mini program", "支付宝（中国）网络技术有限公司", "Alipay (China) Network Technology Co., Ltd.", "310000"),
    "taobao_tmall": ("淘宝/天猫", "Taobao / Tmall", "浙江淘宝网络有限公司", "Zhejiang Taobao Network Co., Ltd.", "330000"),
    "jd": ("京东", "JD.com", "北京京东叁佰陆拾度电子商务有限公司", "Beijing Jingdong 360 Degree E-commerce Co., Ltd.", "110000"),
    "pinduoduo": ("拼多多", "Pinduoduo", "上海寻梦信息技术有限公司", "Shanghai Xunmeng Information Technology Co., Ltd.", "310000"),
    "douyin": ("抖音", "Douyin", "北京抖音信息服务有限公司", "Beijing Douyin Information Service Co., Ltd.", "110000"),
    "kuaishou": ("快手", "Kuaishou", "北京快手科技有限公司", "Beijing Kuaishou Technology Co., Ltd.", "110000"),
    "xiaohongshu": ("小红书", "Xiaohongshu", "行吟信息科技（上海）有限公司", "Xingin Information Technology (Shanghai) Co., Ltd.", "310000"),
    "meituan": ("美团", "Meituan", "北京三快在线科技有限公司", "Beijing Sankuai Online Technology Co., Ltd.", "110000"),
    "website": ("网站", "Website", "", "", ""),
    "app": ("手机应用", "Mobile app", "", "", ""),
    "offline": ("线下门店", "Offline shop", "", "", ""),
    "other": ("其他", "Other", "", "", ""),
}  # fmt: skip

# Name candidates (merchants.selectors._trigram_candidates): WHERE kind = 'name' AND (normalized % %s OR
# pinyin % %s). Django cannot declare a partial GIN index with an operator class portably, and SQLite has no
# GIN, so these are created on PostgreSQL only.
TRIGRAM_INDEXES = [
    "CREATE INDEX identifier_name_trgm_idx ON merchants_identifier USING gin (normalized gin_trgm_ops) "
    "WHERE kind = 'name'",
    "CREATE INDEX identifier_pinyin_trgm_idx ON merchants_identifier USING gin (pinyin gin_trgm_ops) "
    "WHERE kind = 'name'",
]


def describe_platforms(apps, schema_editor):
    Platform = apps.get_model("merchants", "Platform")
    for code, (name_zh, name_en, owner_zh, owner_en, region) in PLATFORMS.items():
        Platform.objects.update_or_create(
            code=code,
            defaults={
                "name_zh": name_zh,
                "name_en": name_en,
                "owner_zh": owner_zh,
                "owner_en": owner_en,
                "owner_region": region,
            },
        )


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in TRIGRAM_INDEXES:
            schema_editor.execute(sql)


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS identifier_name_trgm_idx")
        schema_editor.execute("DROP INDEX IF EXISTS identifier_pinyin_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("merchants", "0004_identity_required")]

    operations = [
        migrations.RunPython(describe_platforms, migrations.RunPython.noop),
        # A no-op on SQLite.
        TrigramExtension(),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
