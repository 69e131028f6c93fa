"""Review findings on the dashboards: each test failed before its fix."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from complaints.services import complaint_submit
from merchants.services import MerchantClaims
from portal.accounts.tests.factories import UserFactory
from portal.dashboards.tests.conftest import PROVINCE

pytestmark = pytest.mark.django_db

URL = "/dashboard/"
API = "/api/v1/stats/"


def file(name="旺铺数码", *, region=PROVINCE, platform="taobao_tmall", day=date(2025, 3, 1)):
    return complaint_submit(
        complainant=UserFactory(),
        claims=MerchantClaims(merchant_name=name, platform=platform),
        category="not_delivered",
        narrative="付款以后商家一直没有发货，联系客服也没有回应，现在连小程序都打不开了。",
        amount=Decimal("100.00"),
        region=region,
        submitted_at=timezone.make_aware(datetime.combine(day, time(12))),
    )


@pytest.mark.parametrize(
    "period",
    [
        {"from": "0001-01-01", "to": "0001-01-05"},
        {"from": "9999-12-20", "to": "9999-12-31"},
        {"from": "0001-01-01", "to": "0001-01-01", "interval": "week"},
    ],
)
@pytest.mark.parametrize("where", ["page", "api", "export"])
def test_dates_at_the_ends_of_the_calendar_are_refused_not_a_server_error(client, moderator, period, where):
    file()
    client.force_login(moderator)
    url = {"page": URL, "api": API + "summary/", "export": "/dashboard/export/complaints.csv"}[where]
    response = client.get(url, period)
    if where == "export" and response.status_code == 200:
        b"".join(response.streaming_content)
    assert response.status_code == 400


def test_a_head_request_takes_no_export(client, moderator):
    from portal.dashboards.models import ExportLog

    client.force_login(moderator)
    response = client.head("/dashboard/export/timeseries.xlsx")

    assert response.status_code == 405
    assert not ExportLog.objects.exists()
