"""Moderators' queue of review requests: open first, each with its requester's record; upholding records the
decision and opens the complaint in the moderation workflow, dismissing leaves the complaint alone."""

import pytest
from django.test import Client

from complaints.models import Complaint, ReviewRequest
from complaints.review_requests import MSG_DECIDED, review_request_create, review_request_decide
from complaints.tests.factories import ComplaintFactory
from merchants.models import Representative
from portal.business.tests.factories import RepresentativeFactory
from portal.moderation.review_views import REQUESTS_PER_PAGE
from portal.moderation.tests.helpers import messages_of

pytestmark = pytest.mark.django_db

LIST_URL = "/moderation/review-requests/"
EXPLANATION = "这个订单号不是我们店铺的，付款记录上的收款方也不是我们。"


def request_url(review, action=""):
    return f"/moderation/review-requests/{review.uuid}/{action + '/' if action else ''}"


@pytest.fixture
def representative(merchant_rep):
    return RepresentativeFactory(user=merchant_rep, status=Representative.Status.APPROVED)


def ask(representative, **complaint_fields):
    complaint = ComplaintFactory(merchant=representative.merchant, status=Complaint.Status.ACCEPTED, **complaint_fields)
    return review_request_create(complaint=complaint, user=representative.user, reason="false", explanation=EXPLANATION)


@pytest.fixture
def review(representative):
    return ask(representative)


def test_the_list_puts_open_requests_first_with_each_requesters_record(mod_client, representative, moderator):
    dismissed = ask(representative)
    review_request_decide(request=dismissed, moderator=moderator, upheld=False)
    waiting = ask(representative)

    response = mod_client.get(LIST_URL)

    assert response.status_code == 200
    assert [row["request"] for row in response.context["rows"]] == [waiting, dismissed]
    record = response.context["rows"][0]["record"]
    assert (record.made, record.dismissed) == (2, 1)
    page = response.text
    assert "2 requests made, 1 dismissed" in page
    assert request_url(waiting) in page and waiting.complaint.code in page


def test_the_list_is_paginated_in_few_queries(mod_client, representative, django_assert_max_num_queries):
    for _ in range(REQUESTS_PER_PAGE + 1):
        ask(representative)
    # Session, user, unread notices (the nav), count, page (complaints, merchants, requesters joined), records.
    with django_assert_max_num_queries(6):
        first = mod_client.get(LIST_URL)
    assert len(first.context["rows"]) == REQUESTS_PER_PAGE
    assert len(mod_client.get(LIST_URL, {"page": 2}).context["rows"]) == 1


def test_the_detail_shows_the_request_the_record_and_the_complaint(mod_client, review):
    response = mod_client.get(request_url(review))
    assert response.status_code == 200
    page = response.text
    assert EXPLANATION in page
    assert review.requested_by.email in page
    assert "1 request made, 0 dismissed, 0 upheld" in page
    assert f"/moderation/complaints/{review.complaint.code}/" in page
    assert request_url(review, "decide") in page


def test_upholding_records_it_and_opens_the_complaint_in_the_workflow_unchanged(mod_client, review, moderator):
    response = mod_client.post(request_url(review, "decide"), {"decision": "uphold", "note": "Wrong shop."})

    code = review.complaint.code
    assert response.status_code == 302
    assert response.url == f"/moderation/complaints/{code}/"
    assert messages_of(response) == [
        f"Review request upheld. Now change complaint {code} here, in the moderation workflow."
    ]
    review.refresh_from_db()
    assert (review.status, review.decided_by, review.note) == ("upheld", moderator, "Wrong shop.")
    review.complaint.refresh_from_db()
    assert review.complaint.status == Complaint.Status.ACCEPTED


def test_dismissing_goes_back_to_the_list_and_cannot_be_repeated(mod_client, review):
    response = mod_client.post(request_url(review, "decide"), {"decision": "dismiss", "note": ""})
    assert response.url == LIST_URL
    review.refresh_from_db()
    assert review.status == ReviewRequest.Status.DISMISSED
    assert request_url(review, "decide") not in mod_client.get(request_url(review)).text

    again = mod_client.post(request_url(review, "decide"), {"decision": "uphold", "note": ""})
    assert again.url == request_url(review)
    assert messages_of(again) == [str(MSG_DECIDED)]


def test_a_decision_must_be_one_of_the_two(mod_client, review):
    response = mod_client.post(request_url(review, "decide"), {"decision": "delete", "note": ""})
    assert response.url == request_url(review)
    assert messages_of(response)[0].startswith("Nothing was changed:")
    review.refresh_from_db()
    assert review.status == "open"


@pytest.mark.parametrize("action", ["", "decide"])
def test_outsiders_get_404(outsider_client, review, action):
    if action:
        response = outsider_client.post(request_url(review, action), {"decision": "dismiss"})
    else:
        response = outsider_client.get(request_url(review))
    assert response.status_code == 404
    review.refresh_from_db()
    assert review.status == "open"


def test_outsiders_get_404_for_the_list(outsider_client):
    assert outsider_client.get(LIST_URL).status_code == 404


def test_wrong_methods_are_refused(mod_client, review):
    assert mod_client.post(LIST_URL).status_code == 405
    assert mod_client.post(request_url(review)).status_code == 405
    assert mod_client.get(request_url(review, "decide")).status_code == 405


def test_decisions_need_the_csrf_token(moderator, review):
    checked = Client(enforce_csrf_checks=True)
    checked.force_login(moderator)
    assert checked.post(request_url(review, "decide"), {"decision": "dismiss"}).status_code == 403
    review.refresh_from_db()
    assert review.status == "open"
