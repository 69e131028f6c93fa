"""When an authority answers an escalation, every victim of the merchant hears what it said: once each, in their
language, with a link to the answer on the collective case's timeline."""

import pytest
from django.core import mail
from django.utils import translation

from complaints import cases
from complaints.models import Complaint, Notification
from complaints.tests.factories import ComplaintFactory
from merchants.models import Merchant
from merchants.tests.factories import MerchantFactory
from portal.accounts.tests.factories import UserFactory
from portal.escalations.models import Escalation
from portal.escalations.services import (
    MSG_OUTCOME_NOTICE,
    EscalationError,
    escalation_acknowledge,
    escalation_close,
    escalation_respond,
    response_anchor,
)
from portal.escalations.tests.factories import AuthorityFactory, AuthorityStaffFactory, EscalationFactory

pytestmark = pytest.mark.django_db

NOTE = "已冻结该商户的结算资金，受害者可向平台申请退款。"


@pytest.fixture
def merchant(db):
    return MerchantFactory(name="骗子数码店")


@pytest.fixture
def authority(db):
    return AuthorityFactory(name_zh="某平台公司", name_en="Platform Co.")


@pytest.fixture
def staff(authority):
    return AuthorityStaffFactory(authority=authority)


@pytest.fixture
def escalation(merchant, authority):
    return EscalationFactory(merchant=merchant, authority=authority)


def outcome_notices(user=None):
    notices = Notification.objects.filter(kind=Notification.Kind.OUTCOME)
    return notices.filter(user=user) if user is not None else notices


def respond(escalation, staff, **kwargs):
    return escalation_respond(
        escalation=escalation, user=staff, outcome=kwargs.pop("outcome", Escalation.Outcome.FUNDS_FROZEN), **kwargs
    )


def test_each_victim_is_told_once_with_the_outcome_and_the_note(merchant, escalation, staff):
    twice = UserFactory()
    first = ComplaintFactory(merchant=merchant, complainant=twice)
    newest = ComplaintFactory(merchant=merchant, complainant=twice)
    other = ComplaintFactory(merchant=merchant, status=Complaint.Status.ACCEPTED)

    respond(escalation, staff, note=NOTE)

    link = f"/cases/{merchant.uuid}/#{response_anchor(escalation)}"
    assert [(n.complaint, n.link) for n in outcome_notices(twice)] == [(newest, link)]
    assert [(n.complaint, n.link) for n in outcome_notices(other.complainant)] == [(other, link)]
    assert outcome_notices().count() == 2
    assert not outcome_notices().filter(complaint=first).exists()
    # The site's language by default: the outcome label and the authority's Chinese name.
    with translation.override("zh-hans"):
        headline = MSG_OUTCOME_NOTICE % {"authority": "某平台公司", "outcome": Escalation.Outcome.FUNDS_FROZEN.label}
    assert outcome_notices(other.complainant).get().message == f"{headline}\n{NOTE}"


def test_the_message_is_in_each_victims_language(merchant, escalation, staff):
    english = ComplaintFactory(merchant=merchant, complainant=UserFactory(preferred_language="en"))
    chinese = ComplaintFactory(merchant=merchant, complainant=UserFactory(preferred_language="zh-hans"))

    respond(escalation, staff)

    assert outcome_notices(english.complainant).get().message == "Platform Co. answered: Funds frozen."
    assert outcome_notices(chinese.complainant).get().message.startswith("某平台公司")


def test_rejected_withdrawn_imported_and_other_merchants_complaints_are_not_told(
    merchant, escalation, staff, moderator
):
    told = ComplaintFactory(merchant=merchant)
    quiet = [
        ComplaintFactory(merchant=merchant, status=Complaint.Status.REJECTED),
        ComplaintFactory(merchant=merchant, status=Complaint.Status.WITHDRAWN),
        ComplaintFactory(merchant=MerchantFactory()),
    ]
    ComplaintFactory(merchant=merchant, complainant=moderator, source="群表格", source_row="7", complainant_key="imp:7")

    respond(escalation, staff)

    assert [notice.user for notice in outcome_notices()] == [told.complainant]
    assert not outcome_notices().filter(user__in=[complaint.complainant for complaint in quiet]).exists()
    assert not outcome_notices(moderator).exists()


def test_the_emails_follow_on_commit(merchant, escalation, staff, django_capture_on_commit_callbacks):
    complaint = ComplaintFactory(merchant=merchant, complainant=UserFactory(email="victim@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        respond(escalation, staff, note=NOTE)
    assert [message.to for message in mail.outbox] == [[complaint.complainant.email]]
    assert NOTE in mail.outbox[0].body
    assert f"/cases/{merchant.uuid}/#{response_anchor(escalation)}" in mail.outbox[0].body


def test_answering_again_or_telling_again_adds_nothing(merchant, escalation, staff, moderator):
    ComplaintFactory(merchant=merchant)
    respond(escalation, staff)
    with pytest.raises(EscalationError):
        respond(escalation, staff, outcome=Escalation.Outcome.NO_ACTION)
    link = outcome_notices().get().link
    assert cases.case_outcome_notify(merchant_id=merchant.pk, link=link, message=lambda: "again") == 0
    # Closing the answered case says nothing more.
    escalation_close(escalation=escalation, user=moderator)
    assert outcome_notices().count() == 1


def test_no_answer_no_notice(merchant, escalation, staff):
    ComplaintFactory(merchant=merchant)
    escalation_acknowledge(escalation=escalation, user=staff)
    with pytest.raises(EscalationError):
        respond(escalation, AuthorityStaffFactory(authority=AuthorityFactory()))
    with pytest.raises(EscalationError):
        respond(escalation, staff, outcome="shrug")
    assert not outcome_notices().exists()


def test_an_escalation_about_a_merchant_since_merged_tells_the_whole_group(authority, staff):
    root = MerchantFactory()
    old = MerchantFactory(status=Merchant.Status.MERGED, merged_into=root)
    escalation = EscalationFactory(merchant=old, authority=authority)
    complaint = ComplaintFactory(merchant=root, linked_merchant=old)

    respond(escalation, staff)

    assert outcome_notices(complaint.complainant).get().link == f"/cases/{root.uuid}/#{response_anchor(escalation)}"


def test_answering_from_the_authority_portal_tells_the_victims(client, merchant, escalation, staff):
    complaint = ComplaintFactory(merchant=merchant)
    client.force_login(staff)
    response = client.post(
        f"/authority/escalations/{escalation.uuid}/respond/", {"outcome": "merchant_suspended", "note": NOTE}
    )
    assert response.status_code == 302
    notice = outcome_notices(complaint.complainant).get()
    assert NOTE in notice.message
    # The link opens the answer on the case page.
    client.force_login(complaint.complainant)
    page = client.get(notice.link.split("#")[0]).content.decode()
    assert f'id="{response_anchor(escalation)}"' in page and NOTE in page
