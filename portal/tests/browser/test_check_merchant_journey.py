"""Check before you pay, in a real browser: a buyer types a phone the way a seller wrote it and finds the shop
that complaints named by its Chinese name, its pinyin and that phone written otherwise."""

import pytest
from playwright.sync_api import expect

from complaints.services import complaint_submit
from merchants.services import MerchantClaims
from portal.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "在小程序预购手机，付款后一直不发货，客服电话也打不通了，小程序已经打不开。"


def test_a_buyer_finds_the_shop_by_its_phone_and_sees_it_masked(page, live_server):
    for name, phone in [("易联购", "+86 138-0013-8000"), ("Yi Liangou", "13800138000"), ("YILIANGOU", "")]:
        complaint_submit(
            complainant=UserFactory(),
            claims=MerchantClaims(merchant_name=name, platform="wechat_mini_program", merchant_phone=phone),
            category="not_delivered",
            narrative=NARRATIVE,
        )

    page.goto(f"{live_server.url}/")
    page.fill("#merchant-query", "0086 138 0013 8000")
    page.locator("form[role=search] button[type=submit]").click()

    results = page.locator(".complaint-list .complaint-item")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("易联购")
    expect(results.first).to_contain_text("3")
    results.first.locator("a").click()

    expect(page.locator("h1")).to_contain_text("易联购")
    body = page.locator("main")
    expect(body).to_contain_text("138****8000")
    expect(body).not_to_contain_text("13800138000")
    expect(body).to_contain_text("Yi Liangou")
