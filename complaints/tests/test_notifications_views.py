"""Telling the complainant: the notices page, the unread count in the nav, and the email in their language."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from complaints import workflow
from complaints.models import Complaint, Notification
from complaints.notifications import notifications_sweep
from complaints.tests.factories import ComplaintFactory
from complaints.views import NOTICES_PER_PAGE
from portal.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOTICES_URL = reverse("complaints:notices")
# The nav's badge: "Notices <span class="badge notice-count">2<span ...> unread</span></span>".
BADGE = re.compile(r'<span class="badge notice-count">(\d+)<')


def logged_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def badge(page: str) -> int | None:
    found = BADGE.search(page)
    return int(found.group(1)) if found else None


@pytest.fixture
def complaint(complainant):
    return ComplaintFactory(complainant=complainant)


def test_a_moderators_decisions_become_notices_newest_first(complainant, complaint, moderator):
    workflow.complaint_request_info(complaint=complaint, moderator=moderator, question="Which day did you pay?")
    workflow.complaint_answer(complaint=complaint, user=complainant, answer="On 1 March.")
    workflow.complaint_accept(complaint=complaint, moderator=moderator, note="Thank you.")

    response = logged_in(complainant).get(NOTICES_URL)

    assert response.status_code == 200
    notices = response.context["notices"]
    # The complainant's own answer is not news to them.
    assert [notice.status for notice in notices] == [Complaint.Status.ACCEPTED, Complaint.Status.NEEDS_INFO]
    page = response.content.decode()
    assert f"The status of your complaint {complaint.code} is now: Accepted." in page
    assert "Which day did you pay?" in page
    assert reverse("complaints:detail", kwargs={"uuid": complaint.uuid}) in page
    assert page.count('class="badge badge-new"') == 2


def test_the_nav_counts_unread_notices_until_they_are_read(complainant, complaint, moderator):
    client = logged_in(complainant)
    assert badge(client.get(reverse("complaints:mine")).content.decode()) is None

    workflow.complaint_request_info(complaint=complaint, moderator=moderator, question="Which day did you pay?")
    workflow.complaint_answer(complaint=complaint, user=complainant, answer="On 1 March.")
    workflow.complaint_reject(complaint=complaint, moderator=moderator, reason=Complaint.RejectReason.DUPLICATE)

    page = client.get(reverse("complaints:mine")).content.decode()
    assert f'href="{NOTICES_URL}"' in page
    assert badge(page) == 2

    notices_page = client.get(NOTICES_URL).content.decode()
    assert badge(notices_page) is None
    assert badge(client.get(reverse("complaints:mine")).content.decode()) is None
    assert not Notification.objects.filter(user=complainant, read_at__isnull=True).exists()
    # Seen once as new; the next visit shows them as read.
    assert 'class="badge badge-new"' not in client.get(NOTICES_URL).content.decode()


def test_only_the_notices_shown_are_marked_read(complainant, complaint):
    for _ in range(NOTICES_PER_PAGE + 3):
        Notification.objects.create(user=complainant, complaint=complaint, status=Complaint.Status.IN_REVIEW)
    oldest = list(Notification.objects.filter(user=complainant).order_by("created_at", "id")[:3])
    client = logged_in(complainant)

    page = client.get(NOTICES_URL).content.decode()

    assert len(client.get(NOTICES_URL).context["notices"]) == NOTICES_PER_PAGE
    assert "Page 1 of 2" in page
    assert badge(page) == 3
    assert all(Notification.objects.get(pk=notice.pk).read_at is None for notice in oldest)
    second = client.get(NOTICES_URL, {"page": 2})
    assert [notice.pk for notice in second.context["notices"]] == [notice.pk for notice in reversed(oldest)]
    assert badge(second.content.decode()) is None


def test_notices_are_only_ones_own(complainant, stranger, complaint, moderator):
    workflow.complaint_accept(complaint=complaint, moderator=moderator)

    page = logged_in(stranger).get(NOTICES_URL).content.decode()

    assert complaint.code not in page
    assert "No notices yet." in page
    assert Notification.objects.get(user=complainant).read_at is None


def test_notices_need_a_login_and_are_read_only(client, complainant):
    response = client.get(NOTICES_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))

    assert logged_in(complainant).post(NOTICES_URL).status_code == 405


def test_visitors_have_no_notices_link(client):
    page = client.get(reverse("pages:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert NOTICES_URL not in page


def test_the_nav_count_costs_one_query_and_fragments_none(complainant, complaint):
    Notification.objects.create(user=complainant, complaint=complaint, status=Complaint.Status.ACCEPTED)
    client = logged_in(complainant)

    with CaptureQueriesContext(connection) as page:
        assert badge(client.get(reverse("complaints:mine")).content.decode()) == 1
    with CaptureQueriesContext(connection) as fragment:
        client.get(reverse("complaints:evidence_panel", kwargs={"uuid": complaint.uuid}))

    assert len([query for query in page if "complaints_notification" in query["sql"]]) == 1
    assert not [query for query in fragment if "complaints_notification" in query["sql"]]


# Email ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "status_label"), [("en", "Accepted"), ("zh-hans", None)])
def test_a_moderators_decision_is_emailed_once_in_the_complainants_language(
    moderator, language, status_label, django_capture_on_commit_callbacks
):
    person = UserFactory(email=f"{language}@example.com", preferred_language=language)
    complaint = ComplaintFactory(complainant=person)

    with django_capture_on_commit_callbacks(execute=True):
        workflow.complaint_accept(complaint=complaint, moderator=moderator, note="Checked, thank you.")

    assert len(mail.outbox) == 1
    [email] = mail.outbox
    assert email.to == [person.email]
    with translation.override(language):
        label = str(Complaint.Status.ACCEPTED.label)
    if status_label:
        assert email.subject == f"Your complaint {complaint.code}: {status_label}"
    else:
        # The status as a Chinese reader reads it, not the English label.
        assert label != "Accepted"
        assert label in email.subject
        assert "Accepted" not in email.subject
    assert "Checked, thank you." in email.body
    assert reverse("complaints:detail", kwargs={"uuid": complaint.uuid}) in email.body
    assert Notification.objects.get(complaint=complaint).emailed_at is not None


def test_the_sweeper_sends_an_email_left_unsent(complainant, complaint, moderator):
    # Without the on-commit callbacks the task is never queued: as if the broker had been down.
    workflow.complaint_request_info(complaint=complaint, moderator=moderator, question="Which day did you pay?")
    notification = Notification.objects.get(complaint=complaint)
    assert notification.emailed_at is None and mail.outbox == []
    Notification.objects.filter(pk=notification.pk).update(created_at=timezone.now() - timedelta(minutes=10))

    assert notifications_sweep() == 1

    [email] = mail.outbox
    assert email.to == [complainant.email]
    assert "Which day did you pay?" in email.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    # Sent once: a second sweep finds nothing left.
    assert notifications_sweep() == 0
    assert len(mail.outbox) == 1
