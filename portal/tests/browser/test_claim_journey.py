"""Claiming a merchant in a real browser: a business user claims a merchant from its page's link with a licence
file, a moderator compares the USCCs and approves, and the user's business home shows the merchant approved."""

import pytest
from playwright.sync_api import expect

from complaints.tests import files
from merchants.models import Representative
from portal.accounts.models import User
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.business.tests.factories import RegisteredMerchantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPANY = "深圳市果园网络科技有限公司"


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator("#id_username")).to_have_count(0)


def test_a_business_user_claims_a_merchant_and_a_moderator_approves_it(page, live_server, browser):
    owner = UserFactory(email="owner@example.com")
    moderator = UserFactory(email="moderator@example.com", role=User.Role.MODERATOR)
    merchant = RegisteredMerchantFactory(name="果园鲜果小程序", company_name=COMPANY)

    log_in(page, live_server, owner)
    page.goto(f"{live_server.url}/business/claim/?merchant={merchant.uuid}")
    expect(page.locator("[data-claim-merchant]")).to_contain_text("果园鲜果小程序")
    page.fill("#id_company_name", COMPANY)
    page.fill("#id_uscc", merchant.uscc.lower())
    page.set_input_files(
        "#id_licence", files=[{"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": files.pdf_bytes()}]
    )
    page.get_by_role("button", name="Send the claim").click()
    expect(page.locator(".messages")).to_contain_text("Your claim to represent 果园鲜果小程序 was sent.")
    expect(page.locator("[data-claims]")).to_contain_text("Waiting for a moderator")

    moderation = browser.new_context(locale="en-US")
    try:
        moderator_page = moderation.new_page()
        log_in(moderator_page, live_server, moderator)
        moderator_page.goto(f"{live_server.url}/moderation/representatives/")
        moderator_page.get_by_role("link", name="Check and decide").click()
        expect(moderator_page.locator("[data-claimed-uscc]")).to_have_text(merchant.uscc)
        expect(moderator_page.locator("[data-registered-uscc]")).to_contain_text("matches")
        expect(moderator_page.locator("[data-licence-link]")).to_be_visible()
        moderator_page.fill("#id_note", "The licence matches the registry.")
        moderator_page.get_by_role("button", name="Approve the claim").click()
        expect(moderator_page.locator(".messages")).to_contain_text("owner@example.com now represents 果园鲜果小程序.")
    finally:
        moderation.close()

    page.goto(f"{live_server.url}/business/")
    claim = page.locator("[data-claims] li").first
    expect(claim).to_contain_text("果园鲜果小程序")
    expect(claim.locator(".badge")).to_have_text("Approved")
    expect(claim).to_contain_text("The licence matches the registry.")
    owner.refresh_from_db()
    assert owner.role == User.Role.MERCHANT_REP
    assert Representative.objects.get().status == Representative.Status.APPROVED
