"""The authority portal in a real browser: a platform owner's staff member logs in, opens the escalation sent to
them, downloads its dossier, acknowledges it and answers that they are investigating."""

import zipfile
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from complaints.services import complaint_submit
from complaints.workflow import complaint_accept
from merchants.services import MerchantClaims
from portal.accounts.models import User
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.escalations.models import AccessLog, Escalation
from portal.escalations.tests.factories import AuthorityFactory, AuthorityStaffFactory, EscalationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MERCHANT = "预售相机旗舰店"
PHONE = "13812345678"
NARRATIVE = f"付款以后商家一直没有发货，客服电话{PHONE}也打不通，群里很多人都遇到了同样的情况，请帮忙。"
NOTE = "已要求平台冻结该商家的结算资金。"


def accepted(moderator, amount: str):
    complaint = complaint_submit(
        complainant=UserFactory(),
        claims=MerchantClaims(merchant_name=MERCHANT),
        category="not_delivered",
        narrative=NARRATIVE,
        amount=Decimal(amount),
    )
    return complaint_accept(complaint=complaint, moderator=moderator)


def test_authority_staff_open_download_acknowledge_and_respond(page, live_server, tmp_path):
    moderator = UserFactory(role=User.Role.MODERATOR)
    first = accepted(moderator, "3200.00")
    second = accepted(moderator, "899.00")
    assert first.merchant_id == second.merchant_id
    authority = AuthorityFactory(name_en="Test Platform Trust & Safety")
    escalation = EscalationFactory(merchant=first.merchant, authority=authority, complaint_count=2)
    staff = AuthorityStaffFactory(email="officer@platform.example.com", authority=authority)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", staff.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.get_by_role("link", name="Escalations").click()
    page.get_by_role("link", name=MERCHANT).click()

    expect(page.locator("h1")).to_have_text(MERCHANT)
    expect(page.locator("[data-escalation-status]")).to_have_text("Pending delivery")
    expect(page.locator("[data-complaint]")).to_have_count(2)
    main = page.locator("main")
    expect(main).to_contain_text("138****5678")
    expect(main).not_to_contain_text(PHONE)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the dossier (ZIP)").first.click()
    download = download_info.value
    assert download.suggested_filename == f"redress-dossier-{escalation.uuid}.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert zipfile.is_zipfile(saved)

    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator(".messages")).to_contain_text("You acknowledged this escalation.")
    expect(page.locator("[data-escalation-status]")).to_have_text("Acknowledged")

    page.select_option("#id_outcome", "investigating")
    page.fill("#id_note", NOTE)
    page.get_by_role("button", name="Send the response").click()
    expect(page.locator(".messages")).to_contain_text("Your response was recorded: Investigating.")
    expect(page.locator("[data-escalation-status]")).to_have_text("Responded")
    expect(page.locator("[data-escalation-outcome]")).to_have_text("Investigating")
    expect(main).to_contain_text(NOTE)

    escalation.refresh_from_db()
    assert (escalation.status, escalation.outcome, escalation.note) == (
        Escalation.Status.RESPONDED,
        Escalation.Outcome.INVESTIGATING,
        NOTE,
    )
    actions = set(AccessLog.objects.filter(user=staff, escalation=escalation).values_list("action", flat=True))
    assert actions == {AccessLog.Action.VIEW_ESCALATION, AccessLog.Action.DOWNLOAD_DOSSIER}
