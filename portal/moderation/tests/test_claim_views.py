"""Moderators' queue of claims to represent a merchant: the claim beside the merchant's USCCs, the licence, and
approving, rejecting and revoking with a note emailed to the claimant."""

import pytest
from django.core import mail
from django.test import Client

from merchants.models import Representative
from merchants.representatives import MSG_CLAIM_DECIDED, MSG_CLAIM_NOTE_REQUIRED
from portal.accounts.models import User
from portal.business.tests.factories import RepresentativeFactory, make_uscc
from portal.moderation.claim_views import CLAIMS_PER_PAGE
from portal.moderation.tests.helpers import messages_of

pytestmark = pytest.mark.django_db

LIST_URL = "/moderation/representatives/"


def claim_url(claim, action=""):
    return f"/moderation/representatives/{claim.uuid}/{action + '/' if action else ''}"


@pytest.fixture
def claim(complainant):
    return RepresentativeFactory(user=complainant)


def test_the_queue_lists_pending_claims_oldest_first_with_both_usccs(mod_client, claim, moderator):
    newer = RepresentativeFactory()
    decided = RepresentativeFactory(status=Representative.Status.APPROVED)

    response = mod_client.get(LIST_URL)

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [claim, newer]
    page = response.text
    assert claim_url(claim) in page and claim_url(newer) in page
    assert claim_url(decided) not in page
    assert claim.uscc in page and claim.user.email in page


def test_the_queue_shows_other_statuses_on_request_and_pending_for_unknown_ones(mod_client, claim):
    approved = RepresentativeFactory(status=Representative.Status.APPROVED)
    assert list(mod_client.get(LIST_URL, {"status": "approved"}).context["page"].object_list) == [approved]
    assert list(mod_client.get(LIST_URL, {"status": "bogus"}).context["page"].object_list) == [claim]


def test_the_queue_is_paginated_in_few_queries(mod_client, django_assert_max_num_queries):
    for _ in range(CLAIMS_PER_PAGE + 1):
        RepresentativeFactory()
    # Session, user, unread notices (the nav), count, page with merchants, platforms and claimants joined.
    with django_assert_max_num_queries(5):
        first = mod_client.get(LIST_URL)
    assert len(first.context["page"].object_list) == CLAIMS_PER_PAGE
    assert len(mod_client.get(LIST_URL, {"page": 2}).context["page"].object_list) == 1


def test_the_detail_shows_the_claimed_uscc_next_to_the_registered_ones_and_the_licence_link(mod_client, claim):
    response = mod_client.get(claim_url(claim))

    assert response.status_code == 200
    assert response.context["registered"] == [claim.merchant.uscc]
    page = response.text
    assert f"/business/licences/{claim.uuid}/" in page
    assert 'class="uscc uscc-match"' in page
    assert claim_url(claim, "approve") in page and claim_url(claim, "reject") in page
    assert claim_url(claim, "revoke") not in page
    # The licence link works for the moderator.
    assert mod_client.get(f"/business/licences/{claim.uuid}/").status_code == 200


def test_the_detail_names_other_live_claims_on_the_merchant(mod_client, claim):
    other = RepresentativeFactory(merchant=claim.merchant, status=Representative.Status.APPROVED)
    response = mod_client.get(claim_url(claim))
    assert response.context["others"] == [other]
    assert other.user.email in response.text


def test_approving_makes_a_representative_audits_and_emails(
    mod_client, claim, complainant, moderator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = mod_client.post(claim_url(claim, "approve"), {"note": "Licence matches."})

    assert response.status_code == 302
    assert response.url == LIST_URL
    assert messages_of(response) == [f"{complainant.email} now represents {claim.merchant.name}."]
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by, claim.note) == ("approved", moderator, "Licence matches.")
    complainant.refresh_from_db()
    assert complainant.role == User.Role.MERCHANT_REP
    assert [email.to for email in mail.outbox] == [[complainant.email]]


def test_rejecting_needs_a_note(mod_client, claim, django_capture_on_commit_callbacks):
    response = mod_client.post(claim_url(claim, "reject"), {"note": ""})
    assert response.url == claim_url(claim)
    assert messages_of(response) == [str(MSG_CLAIM_NOTE_REQUIRED)]
    claim.refresh_from_db()
    assert claim.status == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        response = mod_client.post(claim_url(claim, "reject"), {"note": "The licence names another company."})
    claim.refresh_from_db()
    assert (claim.status, claim.note) == ("rejected", "The licence names another company.")
    assert "The licence names another company." in mail.outbox[0].body


def test_a_decided_claim_cannot_be_decided_again(mod_client, claim):
    mod_client.post(claim_url(claim, "approve"), {"note": ""})
    response = mod_client.post(claim_url(claim, "reject"), {"note": "Too late."})
    assert response.url == claim_url(claim)
    # The approval's message is still queued: the test client did not follow the redirect.
    assert messages_of(response)[-1] == str(MSG_CLAIM_DECIDED)
    claim.refresh_from_db()
    assert claim.status == "approved"


def test_a_note_over_the_limit_is_refused_by_the_form(mod_client, claim):
    response = mod_client.post(claim_url(claim, "approve"), {"note": "x" * 2001})
    assert response.url == claim_url(claim)
    assert messages_of(response)[0].startswith("Nothing was changed:")
    claim.refresh_from_db()
    assert claim.status == "pending"


def test_revoking_an_approved_claim_from_its_page(mod_client, complainant, moderator):
    approved = RepresentativeFactory(user=complainant, status=Representative.Status.APPROVED)
    User.objects.filter(pk=complainant.pk).update(role=User.Role.MERCHANT_REP)
    assert claim_url(approved, "revoke") in mod_client.get(claim_url(approved)).text

    response = mod_client.post(claim_url(approved, "revoke"), {"note": "The shop changed hands."})

    assert messages_of(response) == [f"{complainant.email} no longer represents {approved.merchant.name}."]
    approved.refresh_from_db()
    assert (approved.status, approved.decided_by) == ("revoked", moderator)
    complainant.refresh_from_db()
    assert complainant.role == User.Role.COMPLAINANT


def test_a_claim_matched_through_another_uscc_shows_the_mismatching_one_too(mod_client, claim):
    other = make_uscc(31337)
    claim.merchant.identifiers.create(kind="uscc", strength="strong", value=other, normalized=other)
    response = mod_client.get(claim_url(claim))
    assert response.context["registered"] == sorted([claim.merchant.uscc, other])
    assert 'class="uscc uscc-mismatch"' in response.text


@pytest.mark.parametrize("action", ["", "approve", "reject", "revoke"])
def test_outsiders_get_404(outsider_client, claim, action):
    if action:
        response = outsider_client.post(claim_url(claim, action), {"note": "x"})
    else:
        response = outsider_client.get(claim_url(claim))
    assert response.status_code == 404
    claim.refresh_from_db()
    assert claim.status == "pending"


def test_outsiders_get_404_for_the_queue(outsider_client):
    assert outsider_client.get(LIST_URL).status_code == 404


def test_wrong_methods_are_refused(mod_client, claim):
    assert mod_client.post(LIST_URL).status_code == 405
    assert mod_client.post(claim_url(claim)).status_code == 405
    assert mod_client.get(claim_url(claim, "approve")).status_code == 405


def test_decisions_need_the_csrf_token(moderator, claim):
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(moderator)
    assert checked.post(claim_url(claim, "approve"), {"note": ""}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == "pending"
