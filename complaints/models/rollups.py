from django.db import models
from django.utils.translation import gettext_lazy as _


class MerchantStats(models.Model):
    """One merchant's complaint totals, updated with each filing and status change, never by a full scan.

    Windowed counts (last 24 h, 7 and 30 days) are read from the complaint_merchant_idx index instead: a count
    that must fall as time passes cannot be kept by adding.
    """

    merchant = models.OneToOneField(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stats",
    )
    complaints = models.PositiveIntegerField(_("complaints"), default=0)
    complainants = models.PositiveIntegerField(_("distinct complainants"), default=0)
    # CNY only; complaints in other currencies are counted but their amounts are not added.
    loss = models.DecimalField(_("claimed loss (CNY)"), max_digits=16, decimal_places=2, default=0)
    by_status = models.JSONField(_("complaints by status"), default=dict, blank=True)
    by_category = models.JSONField(_("complaints by category"), default=dict, blank=True)
    first_at = models.DateTimeField(_("first complaint"), null=True, blank=True)
    last_at = models.DateTimeField(_("last complaint"), null=True, blank=True)

    class Meta:
        verbose_name = _("merchant statistics")
        verbose_name_plural = _("merchant statistics")

    def __str__(self):
        return f"{self.merchant_id}: {self.complaints}"


class DayCell(models.Model):
    """What a daily rollup cell and a day total share: the day, what the complaints were about, where from, on
    which platform, whether verified, and how many there were with their claimed loss."""

    day = models.DateField(_("day"))
    category = models.CharField(_("category"), max_length=40)
    region = models.CharField(_("province"), max_length=6, blank=True)
    platform = models.CharField(_("platform"), max_length=40, blank=True)
    # Accepted by a moderator (or closed after that): the public statistics name merchants on these alone.
    verified = models.BooleanField(_("verified"), default=False)
    complaints = models.PositiveIntegerField(_("complaints"), default=0)
    loss = models.DecimalField(_("claimed loss (CNY)"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        abstract = True


class DailyRollup(DayCell):
    """Complaints per day, merchant, category, complainant's province, platform and verification: what dashboards
    read. Only complaints that count are in it: a rejected or withdrawn complaint leaves its cell, and one a
    moderator accepts moves to the verified cell (complaints.rollups.counted_cell)."""

    # Not indexed on its own: rollup_merchant_cover_idx starts with it.
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="daily_rollups",
        db_index=False,
    )

    class Meta:
        ordering = ["day", "merchant_id"]
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "merchant", "category", "region", "platform", "verified"], name="rollup_cell_unique"
            ),
        ]
        # Each index ends with every column the statistics read, so PostgreSQL answers from the index alone (an
        # index-only scan) instead of visiting a heap page per cell: a province's or a platform's cells are spread
        # over every page of their days. Key columns rather than INCLUDE, which SQLite lacks. The cost: complaints
        # and loss are indexed, so adding a complaint to a cell is never a HOT update (bench/README.md, Dashboard).
        indexes = [
            # Distinct and rising merchants nationally: WHERE day BETWEEN %s AND %s [AND category IN (...)].
            models.Index(
                fields=["day", "merchant", "category", "region", "platform", "verified", "complaints", "loss"],
                name="rollup_day_cover_idx",
            ),
            # A province's: WHERE region IN (...) AND day BETWEEN %s AND %s.
            models.Index(
                fields=["region", "day", "merchant", "category", "platform", "verified", "complaints", "loss"],
                name="rollup_region_cover_idx",
            ),
            # A platform owner's: WHERE platform IN (...) AND day BETWEEN %s AND %s.
            models.Index(
                fields=["platform", "day", "merchant", "category", "region", "verified", "complaints", "loss"],
                name="rollup_platform_cover_idx",
            ),
            # One merchant, a risk level's merchants, sparklines, merge rebuilds: WHERE merchant_id IN (...).
            models.Index(
                fields=["merchant", "day", "category", "region", "platform", "verified", "complaints", "loss"],
                name="rollup_merchant_cover_idx",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.merchant_id} {self.category}: {self.complaints}"


class DailyTotal(DayCell):
    """The daily rollups summed over merchants: complaints per day, category, province, platform and verification.

    National and provincial figures read this instead of DailyRollup, which holds about one cell per complaint when
    most merchants draw few complaints; this table is bounded by the number of combinations, whatever the number
    of merchants. It is kept with DailyRollup, cell for cell (complaints.rollups), and merges do not touch it."""

    class Meta:
        ordering = ["day"]
        verbose_name = _("daily total")
        verbose_name_plural = _("daily totals")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "category", "region", "platform", "verified"], name="daily_total_cell_unique"
            ),
        ]
        # Covering, as DailyRollup's indexes are.
        indexes = [
            # National figures: WHERE day BETWEEN %s AND %s [AND category IN (...)].
            models.Index(
                fields=["day", "category", "region", "platform", "verified", "complaints", "loss"],
                name="total_day_cover_idx",
            ),
            # A province's figures: WHERE region IN (...) AND day BETWEEN %s AND %s.
            models.Index(
                fields=["region", "day", "category", "platform", "verified", "complaints", "loss"],
                name="total_region_cover_idx",
            ),
            # A platform owner's: WHERE platform IN (...) AND day BETWEEN %s AND %s.
            models.Index(
                fields=["platform", "day", "category", "region", "verified", "complaints", "loss"],
                name="total_platform_cover_idx",
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.category} {self.region} {self.platform}: {self.complaints}"


class MerchantDay(models.Model):
    """The daily rollups summed over what the complaints were about, where from, on which platform and whether
    verified: each merchant's complaints and claimed loss per day.

    Figures that ask nothing of those (national ones, or those of a few merchants such as a risk level's) read
    this instead of DailyRollup: counting the merchants complained about in a period or ranking them reads about
    0.6 rows per complaint here against 0.84 cells there, and narrower ones (bench/README.md, Dashboard). It is
    kept with DailyRollup, cell for cell, and rebuilt with it after merges (complaints.rollups)."""

    day = models.DateField(_("day"))
    # Not indexed on its own: merchant_day_merchant_idx starts with it.
    merchant = models.ForeignKey(
        "merchants.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="merchant_days",
        db_index=False,
    )
    complaints = models.PositiveIntegerField(_("complaints"), default=0)
    loss = models.DecimalField(_("claimed loss (CNY)"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        ordering = ["day", "merchant_id"]
        verbose_name = _("merchant's day")
        verbose_name_plural = _("merchants' days")
        constraints = [
            models.UniqueConstraint(fields=["day", "merchant"], name="merchant_day_unique"),
        ]
        indexes = [
            # National figures: WHERE day BETWEEN %s AND %s, counting merchants and summing in one index-only scan
            # (key columns, so SQLite has them too). Built CONCURRENTLY on PostgreSQL by migration 0011.
            models.Index(fields=["day", "merchant", "complaints", "loss"], name="merchant_day_cover_idx"),
            # A few merchants' figures (a risk level's, sparklines): WHERE merchant_id IN (...) AND day BETWEEN ...;
            # covering, as DailyRollup's indexes are.
            models.Index(fields=["merchant", "day", "complaints", "loss"], name="merchant_day_merchant_idx"),
        ]

    def __str__(self):
        return f"{self.day} {self.merchant_id}: {self.complaints}"
