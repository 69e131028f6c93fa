"""The demo's right of reply: the demo representative answers for one registered merchant, with public replies,
a refund that closed a complaint, an offer waiting for the demo complainant and one reply overdue."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from complaints.models import (
    Complaint,
    MerchantReply,
    Notification,
    ResolutionProposal,
    TimelineEvent,
)
from complaints.reply_selectors import public_replies
from merchants.models import Representative
from portal.accounts.models import User
from portal.pages import demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    call_command("seed_demo", stdout=StringIO())
    accounts = {role: User.objects.get(email=email) for role, email, _password in demo.ROLE_ACCOUNTS}
    # Whether or not seed_demo already played it out, running it again must leave one result.
    demo.right_of_reply_seed(representative=accounts["merchant_rep"], moderator=accounts["moderator"])
    return accounts


def test_the_demo_representative_answers_for_a_registered_merchant(seeded, rf):
    claim = Representative.objects.get(user=seeded["merchant_rep"])

    assert claim.status == Representative.Status.APPROVED
    assert claim.merchant.uscc == claim.uscc == demo.REPRESENTED.claims.company_uscc
    assert claim.merchant.name == demo.REPRESENTED.claims.merchant_name
    assert claim.licence.read().startswith(b"%PDF")
    readme = (settings.BASE_DIR / "README.md").read_text(encoding="utf-8")
    assert demo.REPRESENTED.claims.merchant_name in readme


def test_published_complaints_carry_public_replies_and_a_refund_closed_one(seeded, client):
    merchant = Representative.objects.get(user=seeded["merchant_rep"]).merchant
    published = Complaint.objects.filter(merchant=merchant, consent_publish=True, replies__isnull=False).distinct()
    assert published.count() >= 3
    assert all(public_replies(complaint_uuid=c.uuid) for c in published)

    refunded = merchant.complaints.get(status=Complaint.Status.CLOSED_MONETARY_RELIEF)
    offer = refunded.proposals.get(status=ResolutionProposal.Status.ACCEPTED)
    assert offer.kind == ResolutionProposal.Kind.REFUND and offer.amount == refunded.amount
    page = client.get(reverse("complaints:public_detail", kwargs={"uuid": refunded.uuid}), HTTP_ACCEPT_LANGUAGE="en")
    assert "Closed with monetary relief" in page.content.decode()
    assert MerchantReply.objects.filter(complaint=refunded).get().body_redacted in page.content.decode()
    assert merchant.complaints.filter(status=Complaint.Status.CLOSED_EXPLANATION).exists()
    assert ResolutionProposal.objects.filter(complaint__merchant=merchant, status="rejected").exists()


def test_one_reply_is_overdue_and_heads_the_representatives_list(seeded):
    rep = seeded["merchant_rep"]
    merchant = Representative.objects.get(user=rep).merchant
    overdue = merchant.complaints.get(
        status=Complaint.Status.ACCEPTED, first_reply_at__isnull=True, reply_due_at__lt=timezone.now()
    )
    assert Notification.objects.filter(user=rep, complaint=overdue, kind=Notification.Kind.REPLY_DUE).count() == 1
    assert merchant.complaints.filter(
        status=Complaint.Status.ACCEPTED, first_reply_at__isnull=True, reply_due_at__gt=timezone.now()
    ).exists()

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(rep)
    response = client.get(reverse("representation:complaints", kwargs={"merchant": merchant.uuid}))

    assert response.status_code == 200
    first = response.context["rows"][0]
    assert first["complaint"] == overdue and first["overdue"]


def test_the_demo_complainant_has_an_offer_to_answer(seeded):
    complainant = seeded["complainant"]

    offer = ResolutionProposal.objects.get(complaint__complainant=complainant)

    assert offer.status == ResolutionProposal.Status.OPEN and offer.kind == ResolutionProposal.Kind.REFUND
    assert offer.complaint.status == Complaint.Status.ACCEPTED


def test_playing_it_out_again_adds_nothing(seeded):
    models = [Representative, MerchantReply, ResolutionProposal, Notification, TimelineEvent]
    before = {model: model.objects.count() for model in models}
    statuses = list(Complaint.objects.order_by("pk").values_list("status", "first_reply_at", "reply_due_at"))

    added = demo.right_of_reply_seed(representative=seeded["merchant_rep"], moderator=seeded["moderator"])

    assert added is False
    assert {model: model.objects.count() for model in models} == before
    assert list(Complaint.objects.order_by("pk").values_list("status", "first_reply_at", "reply_due_at")) == statuses
