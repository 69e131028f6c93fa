"""Moderation in a real browser: a moderator filters the queue by platform, opens the top case from the keyboard,
edits the redacted text, accepts it; a visitor then reads the published complaint and sees only that text."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from complaints.models import Complaint
from complaints.services import complaint_submit
from merchants.services import MerchantClaims
from portal.accounts.models import User
from portal.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13812345678"
NARRATIVE = f"在淘宝店铺预购了一台相机，付款以后商家一直没有发货，客服电话{PHONE}也打不通，这家店就是骗子，请大家小心。"


def file(*, platform: str, amount: str, name: str) -> Complaint:
    return complaint_submit(
        complainant=UserFactory(),
        claims=MerchantClaims(merchant_name=name, platform=platform),
        category="not_delivered",
        narrative=NARRATIVE,
        amount=Decimal(amount),
        consent_publish=True,
    )


def test_a_moderator_redacts_accepts_and_the_public_sees_only_the_redacted_text(page, live_server, browser):
    moderator = UserFactory(email="moderator@example.com", role=User.Role.MODERATOR)
    top = file(platform="taobao_tmall", amount="52000.00", name="数码相机旗舰店")
    lower = file(platform="taobao_tmall", amount="300.00", name="小小杂货铺")
    # The worst case overall, on another platform: the filter must put it aside.
    elsewhere = file(platform="douyin", amount="900000.00", name="抖音好物")
    assert elsewhere.priority > top.priority > lower.priority

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", moderator.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.get_by_role("link", name="Moderation queue").click()
    expect(page.locator("[data-queue-link]").first).to_have_text(elsewhere.code)

    page.locator(".queue-filters summary").click()
    page.select_option("#id_platform", "taobao_tmall")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"platform=taobao_tmall"))
    links = page.locator("[data-queue-link]")
    expect(links).to_have_count(2)
    expect(links.first).to_have_text(top.code)

    # From the keyboard: j focuses the first complaint, Enter opens it.
    page.keyboard.press("j")
    expect(links.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text(top.code)
    expect(page.locator("mark.pii")).to_contain_text(PHONE)

    redacted = page.locator("#redaction-text")
    expect(redacted).to_have_value(re.compile(r"138\*\*\*\*5678"))
    edited = redacted.input_value().replace("这家店就是骗子，", "")
    redacted.fill(edited)
    page.get_by_role("button", name="Save the redacted text").click()
    expect(page.locator(".messages")).to_contain_text(f"The redacted text of {top.code} was saved.")

    page.locator(f"form[action$='/{top.code}/accept/'] button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text(f"{top.code} was accepted and its redacted account is published.")
    top.refresh_from_db()
    assert top.status == Complaint.Status.ACCEPTED

    visitor = browser.new_context(locale="en-US")
    try:
        public = visitor.new_page()
        public.goto(f"{live_server.url}/complaints/public/{top.uuid}/")
        body = public.locator("main")
        expect(body).to_contain_text("138****5678")
        expect(body).to_contain_text("请大家小心")
        expect(body).not_to_contain_text("骗子")
        expect(body).not_to_contain_text(PHONE)
    finally:
        visitor.close()
