from django.db import models
from django.utils import timezone


class BareComplaint(models.Model):
    """A complaint row as wide as Redress's (the claims, the facts, the privacy choices), with its unique keys."""

    uuid = models.UUIDField(unique=True)
    code = models.CharField(max_length=12, unique=True)
    merchant_name = models.CharField(max_length=200, blank=True)
    platform = models.CharField(max_length=40, blank=True)
    mini_program_name = models.CharField(max_length=200, blank=True)
    app_id = models.CharField(max_length=100, blank=True)
    shop_url = models.CharField(max_length=500, blank=True)
    merchant_phone = models.CharField(max_length=40, blank=True)
    wechat_id = models.CharField(max_length=100, blank=True)
    payee_account = models.CharField(max_length=100, blank=True)
    category = models.CharField(max_length=40)
    narrative = models.TextField()
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="CNY")
    payment_method = models.CharField(max_length=20, blank=True)
    paid_at = models.DateField(null=True, blank=True)
    order_number = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=6, blank=True)
    consent_publish = models.BooleanField(default=False)
    hide_identity = models.BooleanField(default=True)
    files = models.JSONField(default=list, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "baseline"

    def __str__(self):
        return self.code
