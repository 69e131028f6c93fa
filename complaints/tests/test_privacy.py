"""complaints.privacy: erasing a complainant's data from a complaint keeps the figures and a tombstone; the
retention job erases complaints closed long ago."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.http import Http404
from django.utils import timezone

from complaints import privacy, tasks
from complaints.management.commands.purge_personal_data import MSG_DONE, MSG_DRY_RUN
from complaints.models import (
    Complaint,
    Evidence,
    ImportJob,
    MerchantReply,
    Notification,
    ResolutionProposal,
    ReviewRequest,
    TimelineEvent,
    VictimMessage,
)
from complaints.tests.factories import ComplaintFactory
from portal.accounts.tests import personal_data
from portal.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Status = Complaint.Status


def records(complaint) -> dict:
    """Who did what and when: what erasure must keep."""
    return {
        "timeline": list(complaint.timeline.values_list("kind", "actor_id", "created_at")),
        "actions": list(complaint.moderation_actions.values_list("action", "actor_id", "created_at")),
        "replies": list(MerchantReply.objects.filter(complaint=complaint).values_list("pk", flat=True)),
    }


def test_withdrawing_data_erases_it_everywhere_and_keeps_the_figures_and_a_tombstone():
    cast = personal_data.build(draft=False)
    complaint = cast.complaint
    assert complaint.status == Status.ACCEPTED
    dump = personal_data.database_dump()
    assert all(value in dump for value in personal_data.VICTIM_VALUES)
    assert len(personal_data.stored_files()) == 6  # two files, each with its display copy and thumbnail
    figures, history = personal_data.figures(complaint.merchant), records(complaint)

    assert privacy.complaint_data_withdraw(complaint=complaint, user=cast.complainant) is True

    dump = personal_data.database_dump()
    assert [value for value in personal_data.VICTIM_VALUES if value in dump] == []
    assert personal_data.stored_files() == []
    assert personal_data.figures(complaint.merchant) == figures
    assert records(complaint) == history
    complaint.refresh_from_db()
    assert complaint.narrative == complaint.narrative_redacted == privacy.ERASED_TEXT
    assert privacy.is_erased(complaint)
    erased = ["order_number", "merchant_phone", "wechat_id", "payee_account", "client_ip_hash"]
    assert {name: getattr(complaint, name) for name in erased} == dict.fromkeys(erased, "")
    assert (complaint.consent_publish, complaint.contactable, complaint.is_public) == (False, False, False)
    kept = (complaint.status, complaint.category, complaint.amount, complaint.region, complaint.merchant_name)
    assert kept == (Status.ACCEPTED, "not_delivered", Decimal("6999.00"), "110000", "易享购")
    assert not Evidence.objects.filter(complaint=complaint).exists()
    assert not VictimMessage.objects.filter(sender=complaint).exists()
    assert not VictimMessage.objects.filter(recipient=complaint).exists()
    assert not Notification.objects.filter(complaint=complaint).exists()
    # The other victim's complaint is untouched.
    cast.other.refresh_from_db()
    assert not privacy.is_erased(cast.other)


def test_records_keep_codes_and_the_merchant_keeps_its_words_without_the_complainants_values():
    cast = personal_data.build(draft=False)
    complaint = cast.complaint

    privacy.complaint_data_withdraw(complaint=complaint, user=cast.complainant)

    status_changes = complaint.timeline.filter(kind=TimelineEvent.Kind.STATUS_CHANGED)
    assert [(event.data["from"], event.data["to"]) for event in status_changes] == [
        (Status.SUBMITTED, Status.NEEDS_INFO),
        (Status.NEEDS_INFO, Status.IN_REVIEW),
        (Status.IN_REVIEW, Status.ACCEPTED),
    ]
    assert {event.data.get("note", "") for event in status_changes} == {""}
    assert all("name" not in event.data for event in complaint.timeline.all())
    actions = list(complaint.moderation_actions.all())
    assert {action.note for action in actions} == {""}
    edit = next(action for action in actions if action.action == "redaction_edit")
    assert edit.before == edit.after == {}
    accept = next(action for action in actions if action.action == "accept")
    assert accept.after["status"] == Status.ACCEPTED
    texts = [
        *MerchantReply.objects.filter(complaint=complaint).values_list("body", "body_redacted"),
        *ResolutionProposal.objects.filter(complaint=complaint).values_list("message", "message_redacted"),
        *ReviewRequest.objects.filter(complaint=complaint).values_list("explanation", "note"),
    ]
    for text in (text for pair in texts for text in pair if text):
        assert "已核实" in text
        assert personal_data.ORDER_NUMBER not in text and personal_data.PHONE not in text


def test_erasing_twice_changes_nothing_the_second_time():
    cast = personal_data.build(draft=False, accept=False)
    assert privacy.complaint_erase(complaint=cast.complaint, reason=privacy.RETENTION) is True
    cast.complaint.refresh_from_db()
    updated = cast.complaint.updated_at

    assert privacy.complaint_erase(complaint=cast.complaint, reason=privacy.RETENTION) is False
    cast.complaint.refresh_from_db()
    assert cast.complaint.updated_at == updated


def test_an_open_complaint_is_withdrawn_before_it_is_erased():
    cast = personal_data.build(draft=False, accept=False)
    complaint = cast.complaint
    assert complaint.status == Status.IN_REVIEW
    assert privacy.erasure_withdraws(complaint)

    privacy.complaint_data_withdraw(complaint=complaint, user=cast.complainant)

    complaint.refresh_from_db()
    assert complaint.status == Status.WITHDRAWN
    last = complaint.timeline.last()
    assert (last.kind, last.data["from"], last.data["to"]) == ("status_changed", Status.IN_REVIEW, Status.WITHDRAWN)
    # Withdrawn complaints are not counted, as after any withdrawal.
    assert complaint.merchant.stats.complaints == 1  # the other victim's


def test_only_the_complainant_may_withdraw_their_data():
    cast = personal_data.build(draft=False)
    imported = ComplaintFactory(complainant=cast.moderator, source="victims-group", source_row="7")

    with pytest.raises(privacy.ErasureRefused):
        privacy.complaint_data_withdraw(complaint=cast.complaint, user=UserFactory())
    with pytest.raises(privacy.ErasureRefused):
        privacy.complaint_data_withdraw(complaint=imported, user=cast.moderator)

    assert not privacy.is_erased(Complaint.objects.get(pk=cast.complaint.pk))
    assert not privacy.is_erased(Complaint.objects.get(pk=imported.pk))


def test_only_own_filings_are_offered_for_erasure(complainant, stranger):
    mine = ComplaintFactory(complainant=complainant)
    ComplaintFactory(complainant=complainant, source="victims-group", source_row="1")
    theirs = ComplaintFactory(complainant=stranger)

    assert list(privacy.erasable_complaints_for_user(user=complainant)) == [mine]
    assert privacy.erasable_complaint_get(user=complainant, uuid=mine.uuid) == mine
    with pytest.raises(Http404):
        privacy.erasable_complaint_get(user=complainant, uuid=theirs.uuid)


def test_user_data_erase_takes_every_complaint_draft_and_notice_of_the_person():
    cast = personal_data.build()
    second = ComplaintFactory(complainant=cast.complainant, merchant=cast.complaint.merchant)
    assert len(personal_data.stored_files()) == 9

    assert privacy.user_data_erase(user=cast.complainant) == 2

    assert personal_data.stored_files() == []
    assert not cast.complainant.complaint_drafts.exists()
    assert not Notification.objects.filter(user=cast.complainant).exists()
    assert all(privacy.is_erased(c) for c in Complaint.objects.filter(pk__in=[cast.complaint.pk, second.pk]))
    dump = personal_data.database_dump()
    assert [value for value in personal_data.VICTIM_VALUES if value in dump] == []


def test_only_codes_ids_and_flags_stay_in_a_record():
    data = {
        "from": "submitted",
        "to": "rejected",
        "reason": "spam",
        "consent": False,
        "claimed_by": 12,
        "proposal": "0b8f2a7e-43a9-4c52-9f0e-1f6f0c3c8e11",
        "note": "电话13812345678",
        "name": "王晓明身份证.jpg",
        "answer_reason": "我不接受",
        "narrative_redacted": "text",
    }
    assert privacy._non_personal(data) == {
        "from": "submitted",
        "to": "rejected",
        "reason": "spam",
        "consent": False,
        "claimed_by": 12,
        "proposal": "0b8f2a7e-43a9-4c52-9f0e-1f6f0c3c8e11",
    }


# Retention -----------------------------------------------------------------------------------------


def closed(status, *, days_ago, timeline=True, **fields) -> Complaint:
    """A complaint that moved to `status` that many days ago (by its timeline, or only its update time)."""
    complaint = ComplaintFactory(status=status, **fields)
    when = timezone.now() - timedelta(days=days_ago)
    if timeline:
        event = TimelineEvent.objects.create(
            complaint=complaint, kind=TimelineEvent.Kind.STATUS_CHANGED, data={"from": "accepted", "to": status}
        )
        TimelineEvent.objects.filter(pk=event.pk).update(created_at=when)
        when = timezone.now()
    Complaint.objects.filter(pk=complaint.pk).update(updated_at=when)
    return complaint


@pytest.fixture
def aged(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 730
    return {
        "rejected_long_ago": closed(Status.REJECTED, days_ago=800),
        "explained_long_ago": closed(Status.CLOSED_EXPLANATION, days_ago=731),
        "withdrawn_untracked": closed(Status.WITHDRAWN, days_ago=900, timeline=False),
        "rejected_lately": closed(Status.REJECTED, days_ago=10),
        "accepted_long_ago": closed(Status.ACCEPTED, days_ago=800),
        # Closed lately, although its last save (a moderator's edit) is old: the timeline decides.
        "closed_lately_saved_long_ago": closed(Status.UNRESOLVED, days_ago=5),
    }


def erased_names(aged) -> set[str]:
    return {name for name, complaint in aged.items() if privacy.is_erased(Complaint.objects.get(pk=complaint.pk))}


def test_retention_erases_complaints_closed_longer_than_the_period(aged):
    Complaint.objects.filter(pk=aged["closed_lately_saved_long_ago"].pk).update(
        updated_at=timezone.now() - timedelta(days=1000)
    )
    result = privacy.personal_data_purge()

    assert erased_names(aged) == {"rejected_long_ago", "explained_long_ago", "withdrawn_untracked"}
    assert (result.complaints, result.failed) == (3, 0)
    assert privacy.personal_data_purge().complaints == 0


def test_retention_period_comes_from_the_settings(aged, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 7

    privacy.personal_data_purge()

    assert erased_names(aged) == {"rejected_long_ago", "explained_long_ago", "withdrawn_untracked", "rejected_lately"}


def test_a_dry_run_counts_and_erases_nothing(aged):
    result = privacy.personal_data_purge(dry_run=True)

    assert result.complaints == 3
    assert erased_names(aged) == set()


def test_one_failing_complaint_does_not_stop_the_others(aged, monkeypatch):
    real = privacy.complaint_erase
    broken = aged["rejected_long_ago"].pk

    def erase(*, complaint, reason):
        if complaint.pk == broken:
            raise OSError("storage unavailable")
        return real(complaint=complaint, reason=reason)

    monkeypatch.setattr(privacy, "complaint_erase", erase)
    result = privacy.personal_data_purge()

    assert (result.complaints, result.failed) == (2, 1)
    assert erased_names(aged) == {"explained_long_ago", "withdrawn_untracked"}


def spreadsheet(moderator, *, days_ago) -> ImportJob:
    job = ImportJob(source="victims-group", created_by=moderator, file_name="victims.csv", status=ImportJob.Status.DONE)
    job.file.save("victims.csv", ContentFile(b"name,phone\n"), save=False)
    job.finished_at = timezone.now() - timedelta(days=days_ago)
    job.report = [{"row": "2", "errors": {"phone": ["bad"]}}]
    job.save()
    return job


def test_retention_deletes_old_import_spreadsheets_and_keeps_their_counts(moderator):
    old, recent = spreadsheet(moderator, days_ago=800), spreadsheet(moderator, days_ago=3)
    old_name = old.file.name

    result = privacy.personal_data_purge()

    assert result.imports == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.file.name, old.report, old.file_name) == ("", [], "victims.csv")
    assert not recent.file.storage.exists(old_name)
    assert recent.file and recent.file.storage.exists(recent.file.name)


def run_command(*args) -> str:
    out = io.StringIO()
    call_command("purge_personal_data", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_reports_in_the_sites_language(aged):
    assert run_command("--dry-run") == str(MSG_DRY_RUN % {"complaints": 3, "imports": 0})
    assert erased_names(aged) == set()

    assert run_command("--days", "7") == str(MSG_DONE % {"complaints": 4, "imports": 0})
    assert "rejected_lately" in erased_names(aged)


def test_the_command_fails_when_a_complaint_could_not_be_erased(aged, monkeypatch):
    def erase(*, complaint, reason):
        raise OSError("storage unavailable")

    monkeypatch.setattr(privacy, "complaint_erase", erase)
    with pytest.raises(CommandError):
        run_command()
    with pytest.raises(CommandError):
        run_command("--days", "-1")


def test_the_daily_task_erases_what_the_retention_period_allows(aged):
    tasks.personal_data_purge()

    assert erased_names(aged) == {"rejected_long_ago", "explained_long_ago", "withdrawn_untracked"}
