"""Script in every text a user writes comes back as text: escaped in every page that shows it (the complainant's,
the public one, the merchant's profile, the check results, the case page, the moderators', the representative's,
the authority's, the admin), as plain text in the dossier PDF, and never as a formula in a CSV or XLSX export.

Every field carries its own marker (`alert("narrative")`), so a page's assertions say which fields it shows.
"""

import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from complaints import cases, replies, services, workflow
from complaints.models import ReviewRequest
from complaints.review_requests import review_request_create
from complaints.tests.reply_factories import RepresentativeFactory
from merchants.services import MerchantClaims
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.escalations import alerts
from portal.escalations.dossier import dossier_build
from portal.escalations.models import Authority
from portal.escalations.services import escalation_respond
from portal.escalations.tests.factories import AuthorityStaffFactory, EscalationFactory, provincial
from portal.tests.security.cast import NARRATIVE, PROVINCE_P

pytestmark = pytest.mark.django_db

APP_ID = "wx3c5e7a9b1d2f4e68"
RAW = [re.compile(r"<script>alert\("), re.compile(r"<img src=x onerror")]
FORMULAS = ["=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0"]


def payload(field: str) -> str:
    return f'"><img src=x onerror=alert(1)><script>alert("{field}")</script>'


def escaped(field: str) -> str:
    return f"&lt;script&gt;alert(&quot;{field}&quot;)&lt;/script&gt;"


def _file(user, **claims):
    facts = {"category": "not_delivered", "amount": Decimal("800.00"), "consent_publish": True}
    return services.complaint_submit(
        complainant=user,
        claims=MerchantClaims(app_id=APP_ID, **claims),
        narrative=NARRATIVE + payload("narrative"),
        order_number=payload("order")[:100],
        **facts,
    )


@pytest.fixture
def hostile(db):
    """A complaint with script in every free-text field, and script in everything written about it afterwards."""
    moderator = UserFactory(role=User.Role.MODERATOR)
    victim, other = UserFactory(), UserFactory()
    complaint = _file(
        victim,
        merchant_name=payload("merchant_name"),
        mini_program_name=payload("mini_program"),
        company_name=payload("company"),
        payee_account=payload("payee"),
        shop_url='https://shop.example/"><script>alert("shop_url")</script>',
    )
    complaint = workflow.complaint_accept(complaint=complaint, moderator=moderator)
    merchant = complaint.merchant
    workflow.complaint_accept(complaint=_file(other, merchant_name="好运来"), moderator=moderator)
    for user in (victim, other):
        cases.case_contact_set(user=user, merchant_id=merchant.pk, contactable=True)
    cases.victim_message_send(
        user=other,
        merchant_id=merchant.pk,
        recipient_key=cases.victim_key(complaint.uuid),
        body=payload("victim_message"),
    )
    rep = RepresentativeFactory(merchant=merchant).user
    replies.reply_post(complaint=complaint, user=rep, body=payload("reply"))
    replies.proposal_make(complaint=complaint, user=rep, kind="explanation", message=payload("proposal"))
    review_request_create(
        complaint=complaint, user=rep, reason=ReviewRequest.Reason.FALSE, explanation=payload("review_request")
    )
    alert = alerts.risk_alert_create(merchant=merchant, level="high", text=payload("risk_alert"), actor=moderator)
    alerts.risk_alert_approve(alert=alert, actor=moderator)
    authority = provincial(Authority.Kind.MARKET_REGULATOR, PROVINCE_P)
    regulator = AuthorityStaffFactory(authority=authority)
    escalation = EscalationFactory(merchant=merchant, authority=authority)
    escalation_respond(escalation=escalation, user=regulator, outcome="investigating", note=payload("authority_note"))
    return {
        "complaint": complaint,
        "merchant": merchant,
        "escalation": escalation,
        "review": complaint.review_requests.get(),
        "users": {"victim": victim, "moderator": moderator, "rep": rep, "regulator": regulator},
    }


def _page(hostile, who: str | None, url: str) -> str:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if who is not None:
        client.force_login(hostile["users"][who])
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _assert_escaped(html: str, fields: list[str]):
    for pattern in RAW:
        assert not pattern.search(html), f"unescaped {pattern.pattern}"
    missing = [field for field in fields if escaped(field) not in html]
    assert missing == [], "fields not shown (escaped) on the page"


def _pages(h):
    c, m = h["complaint"], h["merchant"]
    return [
        ("victim", reverse("complaints:detail", kwargs={"uuid": c.uuid}), ["narrative", "merchant_name", "reply"]),
        (None, reverse("complaints:public_detail", kwargs={"uuid": c.uuid}), ["narrative", "reply"]),
        (None, reverse("pages:merchant_detail", kwargs={"uuid": m.uuid}), ["merchant_name", "reply"]),
        (None, reverse("pages:check") + f"?q={APP_ID}", ["merchant_name", "risk_alert"]),
        ("victim", reverse("cases:detail", kwargs={"uuid": m.uuid}), ["merchant_name", "authority_note"]),
        ("victim", reverse("cases:inbox"), ["victim_message"]),
        ("victim", reverse("complaints:notices"), []),
        ("moderator", reverse("complaint_moderation:detail", kwargs={"code": c.code}), ["narrative", "order"]),
        ("moderator", reverse("moderation:review_request", kwargs={"uuid": h["review"].uuid}), ["review_request"]),
        ("moderator", reverse("authority:alerts"), ["risk_alert"]),
        ("moderator", reverse("dashboards:dashboard"), ["merchant_name"]),
        ("rep", reverse("representation:detail", kwargs={"uuid": c.uuid}), ["narrative", "reply", "proposal"]),
        ("regulator", reverse("authority:escalation", kwargs={"uuid": h["escalation"].uuid}), ["merchant_name"]),
        (
            "regulator",
            reverse("authority:complaint", kwargs={"uuid": h["escalation"].uuid, "code": c.code}),
            ["narrative"],
        ),
    ]


def test_every_page_escapes_what_users_wrote(hostile):
    for who, url, fields in _pages(hostile):
        html = _page(hostile, who, url)
        try:
            _assert_escaped(html, fields)
        except AssertionError as error:
            raise AssertionError(f"{url} as {who}: {error}") from None


def test_the_admin_escapes_what_users_wrote(hostile):
    admin = User.objects.create_superuser(email="root@example.com", password="x")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(admin)
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.create(user=admin, name="t", confirmed=True).persistent_id
    session.save()
    complaint, merchant = hostile["complaint"], hostile["merchant"]
    pages = [
        (reverse("admin:complaints_complaint_change", args=[complaint.pk]), ["narrative", "merchant_name", "order"]),
        (reverse("admin:complaints_complaint_changelist"), ["merchant_name"]),
        (reverse("admin:merchants_merchant_change", args=[merchant.pk]), ["merchant_name"]),
        (reverse("admin:merchants_merchant_changelist"), ["merchant_name"]),
    ]
    for url, fields in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_escaped(response.content.decode(), fields)


def test_the_dossier_pdf_prints_script_as_text(hostile):
    archive = zipfile.ZipFile(io.BytesIO(dossier_build(escalation=hostile["escalation"])))

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read("summary.pdf"))).pages)

    assert 'alert("merchant_name")' in text.replace("\n", "")
