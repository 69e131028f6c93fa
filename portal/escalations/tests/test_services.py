import threading
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections

from complaints.models import DailyRollup, MerchantStats
from merchants.models import Merchant, Platform
from merchants.tests.factories import MerchantFactory
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.escalations import services
from portal.escalations.models import Authority, Escalation, EscalationEvent
from portal.escalations.selectors import escalations_overdue
from portal.escalations.services import (
    MSG_NOT_MODERATOR,
    MSG_REASON_REQUIRED,
    EscalationError,
    escalation_acknowledge,
    escalation_close,
    escalation_manual,
    escalation_mark_delivered,
    escalation_open,
    escalation_respond,
    escalations_flag_overdue,
    escalations_for_risk,
)
from portal.escalations.tests.factories import AuthorityFactory, AuthorityStaffFactory, platform_owner, provincial

Kind = Authority.Kind
Status = Escalation.Status
Event = EscalationEvent.Kind
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
REASONS = [{"rule": "surge", "count": 7, "baseline": 0.2}]


def open_for(merchant, authority, *, count=5, loss="12000", rules=("surge",), now=T0, actor=None):
    return escalation_open(
        merchant=merchant,
        authority=authority,
        rules=list(rules),
        reasons=REASONS,
        complaint_count=count,
        claimed_loss=Decimal(loss),
        actor=actor,
        now=now,
    )


def kinds(escalation):
    return list(escalation.events.values_list("kind", flat=True))


@pytest.fixture
def regulator_of_zhejiang(db):
    return provincial(Kind.MARKET_REGULATOR, "330000")


@pytest.fixture
def merchant(db):
    return MerchantFactory(registered_region="330000", platform=Platform.objects.get(code="taobao_tmall"))


# Opening and supplementing -----------------------------------------------------------------------


def test_open_sets_the_deadline_clocks_and_records_the_opening(merchant, regulator_of_zhejiang):
    regulator_of_zhejiang.ack_hours, regulator_of_zhejiang.response_days = 48, 10
    escalation, created = open_for(merchant, regulator_of_zhejiang)
    assert created
    assert escalation.status == Status.PENDING
    assert (escalation.opened_at, escalation.ack_due_at, escalation.response_due_at) == (
        T0,
        T0 + timedelta(hours=48),
        T0 + timedelta(days=10),
    )
    assert (escalation.rules, escalation.complaint_count, escalation.claimed_loss) == (["surge"], 5, Decimal("12000"))
    assert escalation.opened_by is None
    event = escalation.events.get()
    assert (event.kind, event.created_at, event.data["claimed_loss"]) == (Event.OPENED, T0, "12000")


def test_the_same_facts_again_change_nothing(merchant, regulator_of_zhejiang):
    first, _ = open_for(merchant, regulator_of_zhejiang)
    again, created = open_for(merchant, regulator_of_zhejiang, now=T0 + timedelta(hours=1))
    assert (again.pk, created) == (first.pk, False)
    again.refresh_from_db()
    assert again.supplements == 0
    assert kinds(again) == [Event.OPENED]


def test_new_complaints_extend_the_open_escalation(merchant, regulator_of_zhejiang):
    first, _ = open_for(merchant, regulator_of_zhejiang)
    later = T0 + timedelta(days=2)
    extended, created = open_for(
        merchant, regulator_of_zhejiang, count=9, loss="30000", rules=["vanished", "surge"], now=later
    )
    assert (extended.pk, created) == (first.pk, False)
    extended.refresh_from_db()
    assert (extended.supplements, extended.complaint_count, extended.claimed_loss) == (1, 9, Decimal("30000"))
    assert extended.rules == ["surge", "vanished"]
    # The clocks run from the opening: a supplement does not buy the authority time.
    assert extended.ack_due_at == T0 + timedelta(hours=24)
    event = extended.events.get(kind=Event.SUPPLEMENTED)
    assert event.created_at == later
    assert event.data == {"complaint_count": [5, 9], "claimed_loss": ["12000.00", "30000"], "rules_added": ["vanished"]}
    assert Escalation.objects.filter(merchant=merchant).count() == 1


def test_a_closed_escalation_is_not_extended(merchant, regulator_of_zhejiang, moderator):
    first, _ = open_for(merchant, regulator_of_zhejiang)
    escalation_close(escalation=first, user=moderator, now=T0 + timedelta(days=1))
    second, created = open_for(merchant, regulator_of_zhejiang, count=6, now=T0 + timedelta(days=3))
    assert created and second.pk != first.pk
    assert second.ack_due_at == T0 + timedelta(days=3, hours=24)


def test_a_merged_merchant_is_escalated_as_its_root(regulator_of_zhejiang):
    root = MerchantFactory(registered_region="330000")
    merged = MerchantFactory(status=Merchant.Status.MERGED, merged_into=root)
    escalation, _ = open_for(merged, regulator_of_zhejiang)
    assert escalation.merchant == root
    assert open_for(root, regulator_of_zhejiang)[0].pk == escalation.pk


def test_escalations_for_risk_opens_one_per_routed_authority_and_is_idempotent(merchant):
    facts = {
        "merchant": merchant,
        "rules": ["vanished"],
        "reasons": [{"rule": "vanished", "count": 4}],
        "claimed_loss": Decimal("80000"),
        "complaint_count": 4,
        "complainant_regions": ["110000"],
        "now": T0,
    }
    escalations = escalations_for_risk(**facts)
    assert [(e.authority.kind, e.authority.region) for e in escalations] == [
        (Kind.MARKET_REGULATOR, "330000"),
        (Kind.PLATFORM_OWNER, ""),
        (Kind.POLICE, "330000"),
    ]
    assert all(e.rules == ["vanished"] and e.opened_by is None for e in escalations)
    again = escalations_for_risk(**{**facts, "now": T0 + timedelta(hours=1)})
    assert [e.pk for e in again] == [e.pk for e in escalations]
    assert Escalation.objects.count() == 3
    assert EscalationEvent.objects.filter(kind=Event.SUPPLEMENTED).count() == 0


# Manual escalation -------------------------------------------------------------------------------


def test_only_moderators_escalate_by_hand(merchant, complainant, regulator):
    for user in (complainant, regulator):
        with pytest.raises(EscalationError) as refused:
            escalation_manual(merchant=merchant, moderator=user, reason="跑路了")
        assert (refused.value.message, refused.value.code) == (MSG_NOT_MODERATOR, "forbidden")
    assert not Escalation.objects.exists()


def test_a_manual_escalation_needs_a_reason(merchant, moderator):
    with pytest.raises(EscalationError) as refused:
        escalation_manual(merchant=merchant, moderator=moderator, reason="  ")
    assert refused.value.message == MSG_REASON_REQUIRED


def test_a_manual_escalation_routes_like_a_surge(merchant, moderator):
    MerchantStats.objects.create(merchant=merchant, complaints=12, loss=Decimal("60000.00"))
    escalations = escalation_manual(merchant=merchant, moderator=moderator, reason="多名用户反映已跑路", now=T0)
    assert [e.authority.kind for e in escalations] == [Kind.MARKET_REGULATOR, Kind.PLATFORM_OWNER, Kind.POLICE]
    for escalation in escalations:
        assert (escalation.rules, escalation.opened_by, escalation.complaint_count) == (["manual"], moderator, 12)
        assert escalation.claimed_loss == Decimal("60000.00")
        assert escalation.reasons[0]["reason"] == "多名用户反映已跑路"
        assert escalation.events.get().actor == moderator


def test_a_manual_escalation_of_a_small_loss_leaves_out_the_police(merchant, moderator):
    MerchantStats.objects.create(merchant=merchant, complaints=2, loss=Decimal("300.00"))
    escalations = escalation_manual(merchant=merchant, moderator=moderator, reason="虚假宣传", now=T0)
    assert [e.authority.kind for e in escalations] == [Kind.MARKET_REGULATOR, Kind.PLATFORM_OWNER]


def test_a_manual_escalation_of_a_vanished_website_goes_where_its_victims_are(moderator):
    merchant = MerchantFactory(registered_region="", platform=Platform.objects.get(code="website"))
    for region, complaints in (("440000", 3), ("110000", 1)):
        DailyRollup.objects.create(
            day=T0.date(), merchant=merchant, category="merchant_vanished", region=region, complaints=complaints
        )
    (escalation,) = escalation_manual(merchant=merchant, moderator=moderator, reason="网站已关闭", now=T0)
    assert (escalation.authority.kind, escalation.authority.region) == (Kind.MARKET_REGULATOR, "440000")


def test_two_moderators_escalating_in_turn_share_one_escalation(merchant, moderator):
    other = UserFactory(role=User.Role.MODERATOR)
    first = escalation_manual(merchant=merchant, moderator=moderator, reason="跑路", now=T0)
    second = escalation_manual(merchant=merchant, moderator=other, reason="跑路了", now=T0 + timedelta(minutes=1))
    assert [e.pk for e in second] == [e.pk for e in first]
    assert Escalation.objects.count() == 2


# Transitions -------------------------------------------------------------------------------------


@pytest.fixture
def escalation(merchant, regulator_of_zhejiang):
    return open_for(merchant, regulator_of_zhejiang)[0]


@pytest.fixture
def staff(regulator_of_zhejiang):
    return AuthorityStaffFactory(authority=regulator_of_zhejiang)


def test_the_full_life_of_an_escalation(escalation, staff, moderator):
    escalation = escalation_mark_delivered(escalation=escalation, now=T0 + timedelta(minutes=5))
    escalation = escalation_acknowledge(escalation=escalation, user=staff, now=T0 + timedelta(hours=3))
    escalation = escalation_respond(
        escalation=escalation,
        user=staff,
        outcome=Escalation.Outcome.FUNDS_FROZEN,
        note=" 已冻结商家结算账户 ",
        now=T0 + timedelta(days=2),
    )
    escalation = escalation_close(escalation=escalation, user=moderator, now=T0 + timedelta(days=3))
    escalation.refresh_from_db()
    assert escalation.status == Status.CLOSED
    assert (escalation.outcome, escalation.note) == (Escalation.Outcome.FUNDS_FROZEN, "已冻结商家结算账户")
    assert (escalation.delivered_at, escalation.acknowledged_at, escalation.responded_at, escalation.closed_at) == (
        T0 + timedelta(minutes=5),
        T0 + timedelta(hours=3),
        T0 + timedelta(days=2),
        T0 + timedelta(days=3),
    )
    events = list(escalation.events.values_list("kind", "actor", "data__from"))
    assert events == [
        (Event.OPENED, None, None),
        (Event.DELIVERED, None, Status.PENDING),
        (Event.ACKNOWLEDGED, staff.pk, Status.DELIVERED),
        (Event.RESPONDED, staff.pk, Status.ACKNOWLEDGED),
        (Event.CLOSED, moderator.pk, Status.RESPONDED),
    ]


def test_answering_without_acknowledging_acknowledges(escalation, staff):
    escalation = escalation_respond(
        escalation=escalation, user=staff, outcome=Escalation.Outcome.INVESTIGATING, now=T0 + timedelta(hours=2)
    )
    assert escalation.acknowledged_at == escalation.responded_at == T0 + timedelta(hours=2)


def test_only_the_authoritys_staff_act_for_it(escalation, regulator, moderator, merchant_rep):
    elsewhere = AuthorityStaffFactory(authority=provincial(Kind.MARKET_REGULATOR, "110000"))
    for user in (regulator, elsewhere, moderator, merchant_rep):
        with pytest.raises(EscalationError) as refused:
            escalation_acknowledge(escalation=escalation, user=user)
        assert refused.value.code == "forbidden"
        assert "浙江省市场监督管理局" in refused.value.message
        with pytest.raises(EscalationError):
            escalation_respond(escalation=escalation, user=user, outcome=Escalation.Outcome.NO_ACTION)
    escalation.refresh_from_db()
    assert escalation.status == Status.PENDING
    assert kinds(escalation) == [Event.OPENED]


def test_strangers_cannot_close(escalation, stranger):
    with pytest.raises(EscalationError):
        escalation_close(escalation=escalation, user=stranger)


def test_the_authority_may_close_its_own_case(escalation, staff):
    assert escalation_close(escalation=escalation, user=staff, note="已处理").status == Status.CLOSED


def test_invalid_transitions_are_refused(escalation, staff, moderator):
    escalation_acknowledge(escalation=escalation, user=staff)
    with pytest.raises(EscalationError) as refused:
        escalation_acknowledge(escalation=escalation, user=staff)
    assert refused.value.code == "invalid_transition"
    with pytest.raises(EscalationError):
        escalation_mark_delivered(escalation=escalation)
    with pytest.raises(EscalationError) as refused:
        escalation_respond(escalation=escalation, user=staff, outcome="shrug")
    assert refused.value.code == "invalid"
    escalation_close(escalation=escalation, user=moderator)
    with pytest.raises(EscalationError):
        escalation_respond(escalation=escalation, user=staff, outcome=Escalation.Outcome.NO_ACTION)
    with pytest.raises(EscalationError):
        escalation_close(escalation=escalation, user=moderator)


def test_a_stale_instance_sees_the_current_state(escalation, staff):
    stale = Escalation.objects.get(pk=escalation.pk)
    escalation_acknowledge(escalation=escalation, user=staff)
    with pytest.raises(EscalationError):
        escalation_acknowledge(escalation=stale, user=staff)


# Deadlines ---------------------------------------------------------------------------------------


def test_overdue_deadlines_are_flagged_once_each(escalation, staff):
    assert escalations_flag_overdue(now=T0 + timedelta(hours=23)) == 0
    assert not escalations_overdue(now=T0 + timedelta(hours=23)).exists()

    late = T0 + timedelta(hours=25)
    assert list(escalations_overdue(now=late)) == [escalation]
    assert escalations_flag_overdue(now=late) == 1
    assert escalations_flag_overdue(now=late + timedelta(hours=1)) == 0
    escalation.refresh_from_db()
    assert escalation.ack_overdue_at == late
    event = escalation.events.get(kind=Event.OVERDUE)
    assert event.data["deadline"] == "ack"
    assert datetime.fromisoformat(event.data["due"]) == T0 + timedelta(hours=24)

    # Acknowledging stops the first clock, not the second.
    escalation_acknowledge(escalation=escalation, user=staff, now=T0 + timedelta(days=2))
    assert not escalations_overdue(now=T0 + timedelta(days=14)).exists()
    assert escalations_flag_overdue(now=T0 + timedelta(days=16)) == 1
    assert escalations_flag_overdue(now=T0 + timedelta(days=17)) == 0
    assert list(escalation.events.filter(kind=Event.OVERDUE).values_list("data__deadline", flat=True)) == [
        "ack",
        "response",
    ]


def test_a_missed_deadline_reminds_the_authority_once(escalation):
    from portal.escalations.models import Delivery

    opened = set(Delivery.objects.filter(escalation=escalation).values_list("pk", flat=True))
    escalations_flag_overdue(now=T0 + timedelta(hours=25))
    escalations_flag_overdue(now=T0 + timedelta(hours=26))
    reminders = Delivery.objects.filter(escalation=escalation, event=Event.REMINDED).exclude(pk__in=opened)
    channels = set(escalation.authority.contact_emails and ["email"]) | set(
        escalation.authority.webhook_url and ["webhook"]
    )
    assert channels  # the seeded regulator has a contact address
    assert set(reminders.values_list("channel", flat=True)) == channels
    assert reminders.count() == len(channels)
    assert escalation.events.filter(kind=Event.REMINDED).count() == 1


def test_both_deadlines_missed_at_once_are_two_flags(escalation):
    assert escalations_flag_overdue(now=T0 + timedelta(days=20)) == 2
    assert escalation.events.filter(kind=Event.OVERDUE).count() == 2


def test_answered_and_closed_escalations_are_not_overdue(merchant, escalation, staff, moderator):
    other = open_for(merchant, AuthorityFactory(), now=T0)[0]
    escalation_respond(escalation=escalation, user=staff, outcome=Escalation.Outcome.REFERRED, now=T0)
    escalation_close(escalation=other, user=moderator, now=T0)
    assert not escalations_overdue(now=T0 + timedelta(days=30)).exists()
    assert escalations_flag_overdue(now=T0 + timedelta(days=30)) == 0


# Concurrency -------------------------------------------------------------------------------------


def in_thread(target, *args):
    outcome = {}

    def run():
        try:
            outcome["value"] = target(*args)
        except BaseException as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def finished(thread, outcome):
    thread.join(timeout=30)
    assert not thread.is_alive()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.mark.django_db(transaction=True)
def test_two_moderators_escalating_at_once_open_one_escalation(monkeypatch):
    # The seed is gone if an earlier transactional test flushed the database: then these make the authorities.
    platform, _ = Platform.objects.get_or_create(code=Platform.Code.TAOBAO_TMALL)
    regulator = provincial(Kind.MARKET_REGULATOR, "330000")
    owner = platform_owner(platform)
    merchant = MerchantFactory(registered_region="330000", platform=platform)
    moderators = [UserFactory(role=User.Role.MODERATOR) for _ in range(2)]
    if connection.vendor == "postgresql":
        # Both look for an open escalation and find none before either inserts: the inserts then race.
        barrier, seen = threading.Barrier(2, timeout=10), set()
        real = services._open_locked

        def look_together(merchant, authority):
            found = real(merchant, authority)
            if threading.get_ident() not in seen:
                seen.add(threading.get_ident())
                barrier.wait()
            return found

        monkeypatch.setattr(services, "_open_locked", look_together)

    def escalate(moderator):
        return [e.pk for e in escalation_manual(merchant=merchant, moderator=moderator, reason="跑路")]

    a = in_thread(escalate, moderators[0])
    b = in_thread(escalate, moderators[1])
    assert finished(*a) == finished(*b)
    assert set(Escalation.objects.values_list("authority", flat=True)) == {regulator.pk, owner.pk}
    assert Escalation.objects.count() == 2
    assert EscalationEvent.objects.filter(kind=Event.OPENED).count() == 2
