"""Publication: a complaint is public only when accepted and consented to, shows only its redacted account, and
goes away at once when consent or the complaint is withdrawn."""

import json
import uuid
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from complaints import services, workflow
from complaints.models import Complaint
from complaints.tests.files import png_bytes, upload
from merchants.services import MerchantClaims
from portal.accounts.tests.factories import UserFactory
from portal.api.tests.helpers import api_client

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
MASKED_PHONE = "139****5678"
ORDER_NUMBER = "4200009876543210"
PAYEE_ACCOUNT = "6222021234567890128"
NARRATIVE = f"我在“好运来”小程序预购了一部手机，付款后商家不发货。客服让我打他电话{PHONE}，之后就再也联系不上了。"


def public_url(complaint) -> str:
    return reverse("complaints:public_detail", kwargs={"uuid": complaint.uuid})


def profile_url(merchant) -> str:
    return reverse("pages:merchant_detail", kwargs={"uuid": merchant.uuid})


def api_profile_url(merchant) -> str:
    return f"/api/v1/merchants/{merchant.uuid}/"


def filed_month(complaint) -> str:
    return timezone.localtime(complaint.submitted_at).strftime("%Y-%m")


def visitor() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def file(complainant, *, consent: bool = True, **claims) -> Complaint:
    with_claims = {"merchant_name": "好运来商城", "app_id": "wx0123456789abcdef", "payee_account": PAYEE_ACCOUNT}
    return services.complaint_submit(
        complainant=complainant,
        claims=MerchantClaims(**{**with_claims, **claims}),
        category="not_delivered",
        narrative=NARRATIVE,
        amount=Decimal("6999.00"),
        order_number=ORDER_NUMBER,
        consent_publish=consent,
    )


@pytest.fixture
def published(complainant, moderator, django_capture_on_commit_callbacks):
    """Filed with consent, with a picture as evidence, and accepted by a moderator."""
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file(complainant)
        services.evidence_upload(user=complainant, uploads=[upload("receipt.png", png_bytes())], complaint=complaint)
    return workflow.complaint_accept(complaint=complaint, moderator=moderator)


def assert_nothing_private(text: str, complaint: Complaint) -> None:
    """What anyone may read carries none of the raw narrative, the complainant or their typed claims."""
    for private in [PHONE, NARRATIVE, ORDER_NUMBER, PAYEE_ACCOUNT, complaint.complainant.email, complaint.code]:
        assert private not in text
    assert "/complaints/evidence/" not in text


# The public page ----------------------------------------------------------------------------------


def test_an_accepted_complaint_with_consent_is_public_with_its_redacted_account_only(published):
    response = visitor().get(public_url(published))

    assert response.status_code == 200
    page = response.content.decode()
    assert published.is_public
    assert MASKED_PHONE in page
    assert escape(published.narrative_redacted) in page
    assert_nothing_private(page, published)
    assert f'href="{profile_url(published.merchant)}"' in page
    assert escape(published.merchant.name) in page
    assert "Paid but not delivered (pre-sales included)" in page
    assert "CNY 6999.00" in page
    assert f'<time datetime="{filed_month(published)}">' in page
    # Nobody may keep a copy that outlives a withdrawal of consent.
    assert "no-store" in response["Cache-Control"]


def test_the_moderators_redaction_is_what_is_published(published, moderator):
    workflow.complaint_redaction_edit(complaint=published, moderator=moderator, text="商家收款后不发货，已联系不上。")

    page = visitor().get(public_url(published)).content.decode()

    assert "商家收款后不发货，已联系不上。" in page
    assert MASKED_PHONE not in page


def test_accepted_without_consent_is_not_public(complainant, moderator):
    complaint = workflow.complaint_accept(complaint=file(complainant, consent=False), moderator=moderator)

    assert visitor().get(public_url(complaint)).status_code == 404


def test_submitted_with_consent_is_not_public(complainant):
    complaint = file(complainant)

    assert complaint.status == Complaint.Status.SUBMITTED
    assert visitor().get(public_url(complaint)).status_code == 404


@pytest.mark.parametrize("step", ["review", "request_info", "reject"])
def test_open_or_rejected_complaints_are_not_public(complainant, moderator, step):
    complaint = file(complainant)
    if step == "review":
        workflow.complaint_review_start(complaint=complaint, moderator=moderator)
    elif step == "request_info":
        workflow.complaint_request_info(complaint=complaint, moderator=moderator, question="Which day did you pay?")
    else:
        workflow.complaint_reject(complaint=complaint, moderator=moderator, reason=Complaint.RejectReason.SPAM)

    assert visitor().get(public_url(complaint)).status_code == 404


def test_a_closed_complaint_stays_public(published, moderator):
    workflow.complaint_close(
        complaint=published, moderator=moderator, outcome=Complaint.Status.CLOSED_MONETARY_RELIEF, note="Refunded."
    )

    page = visitor().get(public_url(published)).content.decode()

    assert "Closed with monetary relief" in page


def test_withdrawing_consent_unpublishes_at_once(published, complainant):
    client = visitor()
    assert client.get(public_url(published)).status_code == 200

    workflow.complaint_consent_set(complaint=published, user=complainant, consent=False)

    assert client.get(public_url(published)).status_code == 404
    assert published.uuid.hex not in client.get(profile_url(published.merchant)).content.decode()


def test_withdrawing_consent_on_the_complaint_page_unpublishes_at_once(published, complainant):
    owner = Client(HTTP_ACCEPT_LANGUAGE="en")
    owner.force_login(complainant)

    response = owner.post(reverse("complaints:consent", kwargs={"uuid": published.uuid}), {"consent": "0"})

    assert response.status_code == 302
    assert visitor().get(public_url(published)).status_code == 404


def test_withdrawing_the_complaint_unpublishes_it_at_once(published, complainant):
    workflow.complaint_withdraw(complaint=published, user=complainant)

    assert visitor().get(public_url(published)).status_code == 404


def test_an_unknown_complaint_is_404_and_the_page_is_read_only(published):
    client = visitor()

    assert client.get(reverse("complaints:public_detail", kwargs={"uuid": uuid.uuid4()})).status_code == 404
    assert client.post(public_url(published)).status_code == 405


def test_the_complainant_sees_whether_it_is_public_and_the_link(published, complainant, moderator):
    owner = Client(HTTP_ACCEPT_LANGUAGE="en")
    owner.force_login(complainant)
    detail = reverse("complaints:detail", kwargs={"uuid": published.uuid})

    page = owner.get(detail).content.decode()
    assert "Published: anyone can read its redacted account." in page
    assert f'href="{public_url(published)}"' in page

    workflow.complaint_consent_set(complaint=published, user=complainant, consent=False)
    page = owner.get(detail).content.decode()
    assert "Not public: there is no consent to publish it." in page
    assert public_url(published) not in page


# The merchant's public profile --------------------------------------------------------------------


def test_the_profile_lists_only_public_complaints_redacted(published, complainant, stranger, moderator):
    not_consented = workflow.complaint_accept(complaint=file(stranger, consent=False), moderator=moderator)
    pending = file(stranger)
    assert not_consented.merchant == pending.merchant == published.merchant

    response = visitor().get(profile_url(published.merchant))

    page = response.content.decode()
    assert [row.complaint.uuid for row in response.context["profile"].published] == [published.uuid]
    assert f'href="{public_url(published)}"' in page
    assert public_url(not_consented) not in page
    assert public_url(pending) not in page
    assert MASKED_PHONE in page
    assert_nothing_private(page, published)


def test_the_profile_api_lists_public_complaints_redacted(published, stranger):
    file(stranger)

    response = api_client().get(api_profile_url(published.merchant))

    assert response.status_code == 200, response.content
    [row] = response.json()["public_complaints"]
    assert set(row) == {"id", "category", "category_display", "month", "excerpt", "url", "status", "replies", "outcome"}
    assert row["id"] == str(published.uuid)
    assert row["category"] == "not_delivered"
    assert row["month"] == filed_month(published)
    assert row["url"] == f"http://testserver{public_url(published)}"
    assert MASKED_PHONE in row["excerpt"]
    assert_nothing_private(json.dumps(response.json(), ensure_ascii=False), published)


def test_the_profile_api_drops_a_complaint_whose_consent_is_withdrawn(published, complainant):
    workflow.complaint_consent_set(complaint=published, user=complainant, consent=False)

    assert api_client().get(api_profile_url(published.merchant)).json()["public_complaints"] == []


def test_the_profile_api_query_count_does_not_grow(published, moderator, django_assert_max_num_queries):
    for _ in range(4):
        workflow.complaint_accept(complaint=file(UserFactory()), moderator=moderator)

    url = api_profile_url(published.merchant)

    # The merchant, its kept totals, the windowed counts, its group's identifiers, its published complaints,
    # their replies and accepted proposals, the reply record, the monthly counts and the risk alert: none per
    # complaint.
    with django_assert_max_num_queries(10):
        response = api_client().get(url)
    assert len(response.json()["public_complaints"]) == 5
