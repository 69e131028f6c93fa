from django.db import migrations

CODES = [
    "wechat_mini_program", "wechat_social", "wechat_official_account", "alipay_mini_program", "taobao_tmall",
    "jd", "pinduoduo", "douyin", "kuaishou", "xiaohongshu", "meituan", "website", "app", "offline", "other",
]  # fmt: skip


def add_platforms(apps, schema_editor):
    Platform = apps.get_model("merchants", "Platform")
    for code in CODES:
        Platform.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("merchants", "0001_initial")]

    operations = [migrations.RunPython(add_platforms, migrations.RunPython.noop)]
