import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from merchants import identifiers as ids
from merchants.regions import Region
from merchants.storage import private_storage


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
    name_zh = models.CharField(_("name in Chinese"), max_length=100, blank=True)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    owner_zh = models.CharField(_("owner organisation in Chinese"), max_length=200, blank=True)
    owner_en = models.CharField(_("owner organisation in English"), max_length=200, blank=True)
    # Where the owner is registered: the regulator of last resort for a vanished merchant (issue 5).
    owner_region = models.CharField(_("owner's registered province"), max_length=6, choices=Region.choices, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")

    def __str__(self):
        return self.name or self.get_code_display()

    @property
    def name(self):
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    @property
    def owner(self):
        return self.owner_zh if (get_language() or "").startswith("zh") else self.owner_en


class Merchant(models.Model):
    """Who is complained about. Complaints point here through merchants.services.merchant_resolve.

    A merged merchant keeps its identifiers and points at the active merchant it was merged into, so a merge
    can be undone and an old link still leads somewhere.
    """

    class Kind(models.TextChoices):
        MINI_PROGRAM = "mini_program", _("Mini program")
        ONLINE_SHOP = "online_shop", _("Online shop")
        SOCIAL_SELLER = "social_seller", _("Social seller")
        WEBSITE = "website", _("Website")
        APP = "app", _("App")
        COMPANY = "company", _("Company")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MERGED = "merged", _("Merged")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.ONLINE_SHOP)
    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), on_delete=models.PROTECT, null=True, blank=True, related_name="merchants"
    )
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    registered_region = models.CharField(_("registered province"), max_length=6, choices=Region.choices, blank=True)
    registered_on = models.DateField(_("company registered on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_members",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        constraints = [
            # merged_into always points at an active merchant: merges flatten chains.
            models.CheckConstraint(
                condition=(Q(status="active") & Q(merged_into__isnull=True))
                | (Q(status="merged") & Q(merged_into__isnull=False)),
                name="merchant_merged_has_target",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE


class Identifier(models.Model):
    """One way victims name a merchant (a mini-program app ID, a phone, a payee account...), normalised.

    `kind` says what the value is, not which form field it was typed in. Strong kinds name one merchant:
    the database refuses a second row with the same strong value.
    """

    class Kind(models.TextChoices):
        NAME = ids.NAME, _("Name")
        PAYEE_NAME = ids.PAYEE_NAME, _("Payee's name")
        DOMAIN = ids.DOMAIN, _("Platform domain")
        APP_ID = ids.APP_ID, _("Mini-program app ID")
        USCC = ids.USCC, _("Unified social credit code")
        PHONE = ids.PHONE, _("Phone")
        EMAIL = ids.EMAIL, _("Email or Alipay account")
        BANK_CARD = ids.BANK_CARD, _("Bank card")
        WALLET = ids.WALLET, _("Crypto wallet")
        WECHAT_ID = ids.WECHAT_ID, _("WeChat ID")
        WECHAT_PAY_MCH = ids.WECHAT_PAY_MCH, _("WeChat Pay merchant number")
        SHOP_ID = ids.SHOP_ID, _("Platform shop ID")
        WEBSITE = ids.WEBSITE, _("Website")

    class Strength(models.TextChoices):
        STRONG = "strong", _("Strong")
        WEAK = "weak", _("Weak")

    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.CASCADE, related_name="identifiers"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    strength = models.CharField(_("strength"), max_length=6, choices=Strength.choices)
    value = models.CharField(_("value as first typed"), max_length=300)
    normalized = models.CharField(_("normalised value"), max_length=300)
    # Toneless pinyin of a name, so 易联购 and "Yi Liangou" meet; empty for other kinds.
    pinyin = models.CharField(_("pinyin key"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.UniqueConstraint(fields=["merchant", "kind", "normalized"], name="identifier_unique_per_merchant"),
            # A strong identifier belongs to one merchant. Merged merchants keep theirs (a merge is undone by
            # reactivating the merchant), so at most one row exists at all, and hence one active merchant.
            models.UniqueConstraint(
                fields=["kind", "normalized"], condition=Q(strength="strong"), name="identifier_strong_unique"
            ),
            # Strength follows the kind, so no row can dodge the constraint above by calling itself weak.
            models.CheckConstraint(
                condition=(Q(kind__in=sorted(ids.STRONG_KINDS)) & Q(strength="strong"))
                | (~Q(kind__in=sorted(ids.STRONG_KINDS)) & Q(strength="weak")),
                name="identifier_strength_follows_kind",
            ),
        ]
        indexes = [
            # Looking a merchant up by any identifier: WHERE kind = %s AND normalized = %s. Name candidates on
            # PostgreSQL use the trigram GIN indexes of migration 0004, which Django cannot declare portably.
            models.Index(fields=["kind", "normalized"], name="identifier_kind_norm_idx"),
            # Name candidates by exact pinyin key: WHERE kind = 'name' AND pinyin = %s.
            models.Index(fields=["kind", "pinyin"], name="identifier_kind_pinyin_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def is_strong(self):
        return self.strength == self.Strength.STRONG


class MergeProposal(models.Model):
    """A name match resolution was not sure of: moderators decide whether the two are one merchant."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", pgettext_lazy("merge proposal", "Accepted")
        REJECTED = "rejected", pgettext_lazy("merge proposal", "Rejected")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    # The merchant resolution created, and the existing one it might be.
    merchant = models.ForeignKey(
        Merchant, verbose_name=_("new merchant"), on_delete=models.CASCADE, related_name="proposals_as_new"
    )
    candidate = models.ForeignKey(
        Merchant, verbose_name=_("possible match"), on_delete=models.CASCADE, related_name="proposals_as_candidate"
    )
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-score", "created_at"]
        verbose_name = _("merge proposal")
        verbose_name_plural = _("merge proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "candidate"], condition=Q(status="open"), name="proposal_one_open_per_pair"
            ),
            models.CheckConstraint(condition=~Q(merchant=models.F("candidate")), name="proposal_two_merchants"),
        ]
        indexes = [
            # The moderators' list: WHERE status = 'open' ORDER BY score DESC.
            models.Index(fields=["status", "-score"], name="proposal_status_score_idx"),
        ]

    def __str__(self):
        return f"{self.merchant_id} ~ {self.candidate_id} ({self.score:.0f})"


class MerchantMerge(models.Model):
    """The audit record of one merge: who, when, why, and what to restore when it is undone."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    source = models.ForeignKey(
        Merchant, verbose_name=_("merged merchant"), on_delete=models.PROTECT, related_name="merges_as_source"
    )
    target = models.ForeignKey(
        Merchant, verbose_name=_("merged into"), on_delete=models.PROTECT, related_name="merges_as_target"
    )
    automatic = models.BooleanField(_("automatic"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    proposal = models.ForeignKey(
        MergeProposal, verbose_name=_("proposal"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Merchants that had been merged into the source and were re-pointed at the target, to point back on undo.
    repointed = models.JSONField(_("re-pointed merchants"), default=list, blank=True)
    created_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    undo_reason = models.TextField(_("why it was undone"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("merchant merge")
        verbose_name_plural = _("merchant merges")
        constraints = [
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="merge_two_merchants"),
        ]

    def __str__(self):
        return f"{self.source_id} -> {self.target_id}"

    @property
    def is_undone(self):
        return self.undone_at is not None


class Representative(models.Model):
    """A business user's claim to speak for a merchant, proved by its business licence (the USCC on it must be
    valid and match the merchant's) and approved by a moderator. Only an approved one sees the merchant's
    complaints and replies to them; written through merchants.services."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a moderator")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        REVOKED = "revoked", _("Revoked")

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    merchant = models.ForeignKey(
        Merchant, verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="representatives"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="representations"
    )
    company_name = models.CharField(_("company name on the licence"), max_length=200)
    uscc = models.CharField(_("unified social credit code on the licence"), max_length=18)
    licence = models.FileField(
        _("business licence"), storage=private_storage, upload_to="licences/%Y/%m/", max_length=200
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.TextField(_("moderator's note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("merchant representative")
        verbose_name_plural = _("merchant representatives")
        constraints = [
            # One live claim per person and merchant: asking again waits for the moderator's answer.
            models.UniqueConstraint(
                fields=["merchant", "user"],
                condition=Q(status__in=["pending", "approved"]),
                name="representative_one_live_claim",
            ),
        ]
        indexes = [
            # What a user may act for: WHERE user_id = %s AND status = 'approved'.
            models.Index(fields=["user", "status"], name="representative_user_idx"),
            # The moderators' queue: WHERE status = 'pending' ORDER BY created_at.
            models.Index(fields=["status", "created_at"], name="representative_status_idx"),
        ]

    def __str__(self):
        return f"{self.user_id} for {self.merchant_id} ({self.status})"
