"""The hourly reminder: representatives hear of replies due within three days (or overdue), once per complaint
each, however often it runs."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from complaints import replies, tasks, workflow
from complaints.models import Complaint, Notification
from complaints.tests.reply_factories import RepresentativeFactory, accepted_complaint
from merchants.models import Representative
from merchants.tests.factories import MerchantFactory

pytestmark = pytest.mark.django_db

REPLY_DUE = Notification.Kind.REPLY_DUE


@pytest.fixture
def complaint(complainant, moderator):
    return accepted_complaint(complainant=complainant, moderator=moderator)


@pytest.fixture
def rep(complaint):
    return RepresentativeFactory(merchant=complaint.merchant).user


def due_in(complaint, delta) -> Complaint:
    Complaint.objects.filter(pk=complaint.pk).update(reply_due_at=timezone.now() + delta)
    return complaint


def reminded() -> list[tuple[int, int]]:
    return sorted(Notification.objects.filter(kind=REPLY_DUE).values_list("user_id", "complaint_id"))


def test_a_reply_due_within_three_days_is_reminded_once(complaint, rep):
    due_in(complaint, timedelta(days=2, hours=23))

    assert replies.reply_reminders_send() == 1
    assert replies.reply_reminders_send() == 0
    assert replies.reply_reminders_send() == 0

    notice = Notification.objects.get(kind=REPLY_DUE)
    assert (notice.user, notice.complaint) == (rep, complaint)
    assert notice.link == reverse("representation:detail", kwargs={"uuid": complaint.uuid})


def test_an_overdue_reply_never_reminded_is_reminded(complaint, rep):
    due_in(complaint, -timedelta(days=20))

    assert replies.reply_reminders_send() == 1
    assert reminded() == [(rep.pk, complaint.pk)]


def test_a_reply_due_later_waits(complaint, rep):
    due_in(complaint, timedelta(days=3, hours=1))

    assert replies.reply_reminders_send() == 0
    assert reminded() == []


def test_each_representative_is_reminded_once_including_one_approved_later(complaint, rep):
    due_in(complaint, timedelta(days=1))
    replies.reply_reminders_send()
    later = RepresentativeFactory(merchant=complaint.merchant).user

    assert replies.reply_reminders_send() == 1

    assert reminded() == sorted([(rep.pk, complaint.pk), (later.pk, complaint.pk)])


def test_answered_closed_or_unrepresented_complaints_are_not_reminded(complainant, moderator, complaint, rep):
    replied = due_in(accepted_complaint(complainant=complainant, moderator=moderator), timedelta(days=1))
    replies.reply_post(complaint=replied, user=rep, body="已安排退款。")
    proposed = due_in(accepted_complaint(complainant=complainant, moderator=moderator), timedelta(days=1))
    replies.proposal_make(complaint=proposed, user=rep, kind="explanation", message="货已发出。")
    closed = accepted_complaint(complainant=complainant, moderator=moderator)
    workflow.complaint_close(complaint=closed, moderator=moderator, outcome=Complaint.Status.UNRESOLVED)
    due_in(closed, timedelta(days=1))
    nobody = due_in(
        accepted_complaint(complainant=complainant, moderator=moderator, app_id="wx1111111111111111", name="别家"),
        timedelta(days=1),
    )
    assert nobody.merchant_id != complaint.merchant_id
    # Its merchant's only claim was revoked: nobody answers for it.
    RepresentativeFactory(merchant=nobody.merchant, status=Representative.Status.REVOKED)
    RepresentativeFactory(merchant=MerchantFactory())

    assert replies.reply_reminders_send() == 0


def test_without_representatives_it_reads_nothing_else(complaint, django_assert_num_queries):
    due_in(complaint, timedelta(days=1))

    with django_assert_num_queries(1):
        assert replies.reply_reminders_send() == 0


def test_the_task_runs_hourly_and_reports_what_it_sent(complaint, rep):
    due_in(complaint, timedelta(hours=5))

    assert tasks.reply_reminders.delay().get() == 1

    entry = settings.CELERY_BEAT_SCHEDULE["reply-reminders"]
    assert entry == {"task": "complaints.tasks.reply_reminders", "schedule": 3600.0}
    assert tasks.reply_reminders.name == entry["task"]
