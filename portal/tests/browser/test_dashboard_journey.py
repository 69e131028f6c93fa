"""The dashboard in a real browser: a regulator logs in, narrows the dashboard to one platform and one category,
sees the chart drawn, and downloads CSVs whose rows are the tables on the screen."""

import csv
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from complaints.services import complaint_submit
from merchants.services import MerchantClaims
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.escalations.models import Authority
from portal.escalations.tests.factories import AuthorityStaffFactory, provincial

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "付款以后商家一直没有发货，联系客服也没有回应，现在连小程序都打不开了，请大家注意。"
SHOP, OTHER_SHOP, FAR_SHOP = "预售相机旗舰店", "京东小店", "北京抖店"

# True once the chart's canvas has a pixel that is not transparent: ECharts has drawn on it.
CANVAS_DRAWN = """() => {
  const canvas = document.querySelector("#chart-timeseries canvas");
  if (!canvas || !canvas.width || !canvas.height) return false;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let alpha = 3; alpha < pixels.length; alpha += 4) if (pixels[alpha]) return true;
  return false;
}"""


def file(shop, *, platform="taobao_tmall", category="not_delivered", region="440000", amount, days_ago):
    return complaint_submit(
        complainant=UserFactory(),
        claims=MerchantClaims(merchant_name=shop, platform=platform),
        category=category,
        narrative=NARRATIVE,
        amount=Decimal(amount),
        region=region,
        submitted_at=timezone.now() - timedelta(days=days_ago),
    )


def screen_rows(page, table_id: str) -> list[list[str]]:
    return page.eval_on_selector_all(
        f"#{table_id} tbody tr", "rows => rows.map(row => [...row.cells].map(cell => cell.textContent.trim()))"
    )


def screen_header(page, table_id: str) -> list[str]:
    return page.eval_on_selector_all(f"#{table_id} thead th", "cells => cells.map(cell => cell.textContent.trim())")


def download_csv(page, table: str, tmp_path) -> list[list[str]]:
    with page.expect_download() as download_info:
        page.locator(f'a[data-export="{table}-csv"]').click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with saved.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


def plain(cells: list[str]) -> list[str]:
    """Figures as the CSV writes them: the screen groups thousands, the file does not."""
    return [cell.replace(",", "") for cell in cells]


def test_regulator_filters_sees_the_chart_and_downloads_the_table(page, live_server, tmp_path):
    file(SHOP, amount="3200.00", days_ago=3)
    file(SHOP, amount="899.50", days_ago=10)
    file(SHOP, category="refund_refused", amount="150.00", days_ago=3)
    file(OTHER_SHOP, platform="jd", amount="60.00", days_ago=2)
    file(FAR_SHOP, region="110000", amount="9999.00", days_ago=3)
    regulator = provincial(Authority.Kind.MARKET_REGULATOR, "440000")
    staff = AuthorityStaffFactory(email="officer@amr.gd.example.com", authority=regulator)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", staff.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator("h1")).to_have_text("Dashboard")

    page.get_by_label("Taobao / Tmall").check()
    page.get_by_label("Paid but not delivered (pre-sales included)").check()
    page.get_by_role("button", name="Apply filters").click()

    expect(page).to_have_url(re.compile(r"/dashboard/\?.*platform=taobao_tmall.*&category=not_delivered"))
    expect(page.locator('[data-card="complaints"] [data-value]')).to_have_text("2")
    expect(page.locator('[data-card="loss"] [data-value]')).to_have_text("4,099.50")
    expect(page.get_by_label("Taobao / Tmall")).to_be_checked()
    main = page.locator("main")
    expect(main).not_to_contain_text(OTHER_SHOP)
    expect(main).not_to_contain_text(FAR_SHOP)
    page.wait_for_function(CANVAS_DRAWN, timeout=15_000)

    series = download_csv(page, "timeseries", tmp_path)
    assert series[0] == screen_header(page, "table-timeseries")
    on_screen = [plain(row) for row in screen_rows(page, "table-timeseries")]
    assert series[1:] == on_screen
    assert len(on_screen) == 90
    assert sum(int(row[1]) for row in on_screen) == 2
    assert sum(Decimal(row[2]) for row in on_screen) == Decimal("4099.50")

    # The breakdown's file leads with the category's code, for joining; the rest of each row is the screen's.
    categories = download_csv(page, "category", tmp_path)
    assert [row[1:] for row in categories] == [
        screen_header(page, "table-category"),
        *[plain(row) for row in screen_rows(page, "table-category")],
    ]
    assert categories[1] == ["not_delivered", "Paid but not delivered (pre-sales included)", "2", "4099.50"]
