"""Check before you pay, in a real browser: a buyer types a phone the way a seller wrote it and finds the shop
that complaints named by its Chinese name, its pinyin and that phone written otherwise; the profile warns, shows
how the shop answers and its complaints month by month, and offers "I was cheated too"."""

import pytest
from playwright.sync_api import expect

from complaints.services import complaint_submit
from merchants.services import MerchantClaims
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.pages.tests.helpers import publish_alert, reply, stand

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "在小程序预购手机，付款后一直不发货，客服电话也打不通了，小程序已经打不开。"
WARNING = "多名买家反映付款后不发货、客服失联，请勿向其付款。"


def shop_with_complaints():
    complaints = [
        complaint_submit(
            complainant=UserFactory(),
            claims=MerchantClaims(merchant_name=name, platform="wechat_mini_program", merchant_phone=phone),
            category="not_delivered",
            narrative=NARRATIVE,
        )
        for name, phone in [("易联购", "+86 138-0013-8000"), ("Yi Liangou", "13800138000"), ("YILIANGOU", "")]
    ]
    return complaints[0].merchant, complaints


def test_a_buyer_finds_the_shop_by_its_phone_and_sees_it_masked(page, live_server):
    merchant, complaints = shop_with_complaints()
    moderator = UserFactory(role=User.Role.MODERATOR)
    answered = stand(complaints[0], publish=True)
    reply(answered, UserFactory(), "您好，已为您安排退款，请查收。")
    publish_alert(merchant, moderator, text=WARNING)

    page.goto(f"{live_server.url}/")
    page.get_by_label("Shop name, app ID, phone, payee account or shop link").fill("0086 138 0013 8000")
    page.locator("form[role=search] button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/check/?q=0086+138+0013+8000")
    results = page.locator(".check-results .check-result")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("易联购")
    expect(results.first).to_contain_text("3 complaints")
    expect(results.first).to_contain_text("Exact match: Phone")
    expect(results.first).to_contain_text(WARNING)
    expect(page.locator("main")).not_to_contain_text("138 0013 8000")
    expect(page.locator("#merchant-query")).to_have_value("")
    results.first.locator("a").first.click()

    expect(page.locator("h1")).to_contain_text("易联购")
    body = page.locator("main")
    expect(body).to_contain_text("138****8000")
    expect(body).not_to_contain_text("13800138000")
    expect(body).to_contain_text("Yi Liangou")
    expect(page.locator(".risk-alert")).to_contain_text(WARNING)
    expect(page.locator(".merchant-reply")).to_contain_text("您好，已为您安排退款，请查收。")
    expect(page.locator(".reply-record")).to_contain_text("100% (1 of 1 complaints due for a reply)")
    # The chart draws from the embedded figures (no inline script); the table holds the same numbers.
    expect(page.locator("[data-profile-chart]")).to_have_attribute("data-drawn", "1")
    expect(page.locator(".monthly-table tbody tr")).to_have_count(12)

    page.get_by_role("link", name="I was cheated by this merchant too").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/complaints/new/%3Fmerchant%3D{merchant.uuid}")


def test_the_check_works_without_javascript(browser, live_server):
    shop_with_complaints()
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/")
        page.fill("#merchant-query", "yi lian gou")
        page.locator("form[role=search] button[type=submit]").click()

        expect(page.locator(".check-results .check-result").first).to_contain_text("易联购")
        page.locator(".check-result a").first.click()
        expect(page.locator(".monthly-table tbody tr")).to_have_count(12)
    finally:
        context.close()
