"""The right of reply in a real browser: a merchant's approved representative follows the notice of a newly
accepted complaint, replies in public and proposes a refund; the complainant accepts it, which closes the
complaint with monetary relief; a visitor then finds the reply and the outcome from the merchant's page."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from complaints import workflow
from complaints.models import Complaint, ResolutionProposal
from complaints.tests.reply_factories import RepresentativeFactory, file_complaint
from portal.accounts.models import User
from portal.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13912345678"
REPLY = f"您好，我们已经核实了您的订单，非常抱歉没有按时发货。售后电话{PHONE}。"
OFFER = "我们同意全额退款，三个工作日内原路退回。"


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_a_representative_replies_and_refunds_and_the_complainant_accepts(page, live_server, browser):
    complainant = UserFactory(email="buyer@example.com")
    moderator = UserFactory(email="moderator@example.com", role=User.Role.MODERATOR)
    rep = UserFactory(email="service@shop.example", role=User.Role.MERCHANT_REP)
    complaint = file_complaint(complainant=complainant)
    # Claimed with the business licence and approved by a moderator before the complaint was accepted.
    RepresentativeFactory(merchant=complaint.merchant, user=rep)
    workflow.complaint_accept(complaint=complaint, moderator=moderator)

    # The representative follows the notice to the complaint.
    log_in(page, live_server, rep.email)
    page.get_by_role("link", name="Notices").click()
    expect(page.locator("main")).to_contain_text(f"Complaint {complaint.code} against your merchant was accepted")
    page.get_by_role("link", name=complaint.code).click()
    expect(page.locator("h1")).to_have_text(complaint.code)
    main = page.locator("main")
    expect(main).to_contain_text("Reply due by")
    expect(main).to_contain_text("138****5678")  # the complainant's account, redacted
    expect(main).not_to_contain_text("buyer@example.com")

    page.fill("#id_body", REPLY)
    page.get_by_role("button", name="Publish the reply").click()
    expect(page.locator(".messages")).to_contain_text("Your reply is published beside the complaint")
    expect(page.locator("#replies")).to_contain_text("139****5678")

    page.get_by_label("Refund", exact=True).check()
    page.fill("#id_amount", "6999.00")
    page.fill("#id_message", OFFER)
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.locator(".messages")).to_contain_text("Your proposal was sent to the complainant.")
    expect(page.locator("#proposals")).to_contain_text("Awaiting the complainant")

    page.locator("main").get_by_role("link", name=complaint.merchant.name).click()
    listed = page.locator(f"[data-complaint='{complaint.code}']")
    expect(listed).to_contain_text("Replied")

    # The complainant accepts the refund on their complaint's page.
    buyer = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
    try:
        mine = buyer.new_page()
        log_in(mine, live_server, complainant.email)
        mine.get_by_role("link", name=complaint.code).click()
        answer = mine.locator("#merchant-reply")
        expect(answer).to_contain_text("139****5678")
        expect(answer).to_contain_text(OFFER)
        expect(answer).to_contain_text("CNY 6999.00")
        mine.once("dialog", lambda dialog: dialog.accept())
        mine.get_by_role("button", name="Accept the proposal").click()
        expect(mine.locator(".messages")).to_contain_text("Your complaint is closed: Closed with monetary relief.")
        expect(mine.locator(".tracking .badge")).to_have_text("Closed with monetary relief")
        expect(mine.locator(".timeline")).to_contain_text("Proposal accepted: Refund")
    finally:
        buyer.close()
    complaint.refresh_from_db()
    assert complaint.status == Complaint.Status.CLOSED_MONETARY_RELIEF
    assert ResolutionProposal.objects.get().status == ResolutionProposal.Status.ACCEPTED

    # Anyone reads the reply and the outcome, from the merchant's public page.
    visitor = browser.new_context(locale="en-US")
    try:
        public = visitor.new_page()
        public.goto(live_server.url + reverse("pages:merchant_detail", kwargs={"uuid": complaint.merchant.uuid}))
        public.get_by_role("link", name="Read the complaint").click()
        expect(public.locator("#merchant-replies")).to_contain_text("非常抱歉没有按时发货")
        expect(public.locator("#merchant-replies")).not_to_contain_text(PHONE)
        outcome = public.locator("#outcome")
        expect(outcome).to_contain_text("Closed with monetary relief")
        expect(outcome).to_contain_text("a refund of CNY 6999.00")
        expect(public.locator("main")).not_to_contain_text("service@shop.example")
    finally:
        visitor.close()
