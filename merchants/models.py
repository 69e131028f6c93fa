import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Platform(models.Model):
    """Where a merchant sells: a WeChat mini program, Taobao, Douyin... The codes are DESIGN.md section 7."""

    class Code(models.TextChoices):
        WECHAT_MINI_PROGRAM = "wechat_mini_program", _("WeChat mini program")
        WECHAT_SOCIAL = "wechat_social", _("WeChat Moments and chats")
        WECHAT_OFFICIAL_ACCOUNT = "wechat_official_account", _("WeChat official account")
        ALIPAY_MINI_PROGRAM = "alipay_mini_program", _("Alipay mini program")
        TAOBAO_TMALL = "taobao_tmall", _("Taobao / Tmall")
        JD = "jd", _("JD.com")
        PINDUODUO = "pinduoduo", _("Pinduoduo")
        DOUYIN = "douyin", _("Douyin")
        KUAISHOU = "kuaishou", _("Kuaishou")
        XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu")
        MEITUAN = "meituan", _("Meituan")
        WEBSITE = "website", _("Website")
        APP = "app", _("Mobile app")
        OFFLINE = "offline", _("Offline shop")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=40, choices=Code.choices, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")

    def __str__(self):
        return self.get_code_display()


class Merchant(models.Model):
    """Who is complained about. Complaints point here through merchants.services.merchant_resolve."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    normalized_name = models.CharField(_("normalised name"), max_length=200)
    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), on_delete=models.PROTECT, null=True, blank=True, related_name="merchants"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        constraints = [
            # merchant_resolve's interim lookup: one merchant per normalised name and platform.
            models.UniqueConstraint(
                fields=["normalized_name", "platform"],
                condition=Q(platform__isnull=False),
                name="merchant_unique_name_platform",
            ),
            models.UniqueConstraint(
                fields=["normalized_name"],
                condition=Q(platform__isnull=True),
                name="merchant_unique_name_no_platform",
            ),
        ]

    def __str__(self):
        return self.name


class Identifier(models.Model):
    """One way victims name a merchant (a mini-program app ID, a phone, a payee account...), normalised."""

    class Kind(models.TextChoices):
        NAME = "name", _("Name")
        MINI_PROGRAM_NAME = "mini_program_name", _("Mini-program name")
        APP_ID = "app_id", _("App ID")
        SHOP_URL = "shop_url", _("Shop URL")
        PHONE = "phone", _("Phone")
        WECHAT_ID = "wechat_id", _("WeChat ID")
        PAYEE_ACCOUNT = "payee_account", _("Payee account")
        COMPANY_NAME = "company_name", _("Company name")
        COMPANY_USCC = "company_uscc", _("Company registration number (USCC)")

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="identifiers"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    value = models.CharField(_("value as first seen"), max_length=300)
    normalized = models.CharField(_("normalised value"), max_length=300)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "kind", "normalized"], name="identifier_unique_per_merchant"),
        ]
        indexes = [
            # Looking a merchant up by any identifier: WHERE kind = %s AND normalized = %s.
            models.Index(fields=["kind", "normalized"], name="identifier_kind_norm_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"
