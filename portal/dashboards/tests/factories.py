"""Filing complaints for the dashboards' tests, through complaints.services so the daily rollups count them as in
production. Each complaint is filed by a new account, so none is flagged as brigading."""

import hashlib
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from complaints.models import Complaint
from complaints.services import complaint_submit
from complaints.statistics import StatsFilter
from merchants.services import MerchantClaims
from portal.accounts.tests.factories import UserFactory
from portal.dashboards.filters import DEFAULT_DAYS

NARRATIVE = "付款以后商家一直没有发货，联系客服也没有回应，现在连小程序都打不开了。"


def shop_app_id(shop: str) -> str:
    """A WeChat app ID of its own for each shop name: the strong identifier that files a complaint under it."""
    return "wx" + hashlib.sha256(shop.encode()).hexdigest()[:16]


def file_complaint(
    *,
    shop: str = "果园小店",
    platform: str = "wechat_mini_program",
    category: str = "not_delivered",
    region: str = "440000",
    amount: Decimal | None = Decimal("100.00"),
    days_ago: int = 1,
    narrative: str = NARRATIVE,
    complainant=None,
    **facts,
) -> Complaint:
    """A complaint against `shop` (one merchant per shop name) filed `days_ago` days ago at this time of day."""
    return complaint_submit(
        complainant=complainant or UserFactory(),
        claims=MerchantClaims(merchant_name=shop, app_id=shop_app_id(shop), platform=platform),
        category=category,
        narrative=narrative,
        amount=amount,
        region=region,
        submitted_at=timezone.now() - timedelta(days=days_ago),
        **facts,
    )


def default_filter(**conditions) -> StatsFilter:
    """The filter of a dashboard opened with no parameters: the last DEFAULT_DAYS days up to today."""
    today = timezone.localdate()
    return StatsFilter(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today, **conditions)
