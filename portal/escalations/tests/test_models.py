from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from merchants.models import Platform
from merchants.regions import Region
from merchants.tests.factories import MerchantFactory
from portal.escalations.models import Authority, Escalation, EscalationEvent, RiskRule
from portal.escalations.tests.factories import AuthorityFactory, EscalationFactory

pytestmark = pytest.mark.django_db

MAINLAND = {code for code in Region.values if code not in {"710000", "810000", "820000"}}
Kind = Authority.Kind


def test_the_seed_has_one_regulator_and_one_police_department_per_mainland_province():
    for kind in (Kind.MARKET_REGULATOR, Kind.POLICE):
        regions = list(Authority.objects.filter(kind=kind).values_list("region", flat=True))
        assert len(regions) == 31
        assert set(regions) == MAINLAND


def test_seeded_names_and_addresses():
    beijing = Authority.objects.get(kind=Kind.MARKET_REGULATOR, region="110000")
    assert beijing.name_zh == "北京市市场监督管理局"
    assert beijing.name_en == "Beijing Administration for Market Regulation"
    assert beijing.contact_emails == ["complaints@110000.amr.example.gov"]
    police = Authority.objects.get(kind=Kind.POLICE, region="110000")
    assert (police.name_zh, police.contact_emails) == ("北京市公安局", ["fraud@110000.police.example.gov"])
    assert Authority.objects.get(kind=Kind.POLICE, region="440000").name_zh == "广东省公安厅"


def test_every_seeded_address_is_on_a_reserved_example_domain():
    for emails in Authority.objects.values_list("contact_emails", flat=True):
        assert emails
        for email in emails:
            domain = email.rsplit("@", 1)[1]
            assert domain.split(".")[-1] == "example" or ".example." in f".{domain}", email


def test_platform_owners_are_grouped_by_owner():
    tencent = Authority.objects.get(kind=Kind.PLATFORM_OWNER, name_zh="深圳市腾讯计算机系统有限公司")
    assert set(tencent.platforms.values_list("code", flat=True)) == {
        "wechat_mini_program",
        "wechat_social",
        "wechat_official_account",
    }
    assert tencent.contact_emails == ["trust-safety@tencent.example.com"]
    assert tencent.region == ""
    owned = Platform.objects.exclude(owner_zh="")
    owners = Authority.objects.filter(kind=Kind.PLATFORM_OWNER)
    assert owners.count() == owned.values("owner_zh").distinct().count() == 9
    # Every owned platform has exactly one owner authority; unowned ones (website, app...) have none.
    for platform in Platform.objects.all():
        expected = 1 if platform.owner_zh else 0
        assert owners.filter(platforms=platform).count() == expected, platform.code


def test_the_consumer_association_is_national():
    association = Authority.objects.get(kind=Kind.CONSUMER_ASSOCIATION)
    assert (association.name_zh, association.region) == ("中国消费者协会", "")


def test_risk_rules_are_seeded_with_their_defaults():
    rules = {rule.code: rule for rule in RiskRule.objects.all()}
    assert set(rules) == set(RiskRule.Code.values)
    assert {code: rule.points for code, rule in rules.items()} == {
        "surge": 60,
        "volume": 40,
        "vanished": 60,
        "young_company": 30,
        "manual": 100,
    }
    assert rules["surge"].params == {"min_count": 5, "window_hours": 24, "baseline_days": 30, "max_tail": 0.001}
    assert rules["volume"].params["min_loss"] == "100000"
    assert rules["vanished"].params["categories"] == ["merchant_vanished", "not_delivered"]
    assert all(rule.enabled for rule in rules.values())
    # Volume only raises the score: a large, steady merchant always has 20 complaints in 30 days.
    assert {code for code, rule in rules.items() if not rule.escalates} == {"volume"}


def test_name_follows_the_active_language():
    authority = Authority.objects.get(kind=Kind.MARKET_REGULATOR, region="310000")
    with translation.override("en"):
        assert authority.name == "Shanghai Administration for Market Regulation"
    with translation.override("zh-hans"):
        assert authority.name == "上海市市场监督管理局"


def test_a_webhook_endpoint_gets_a_secret_and_keeps_it():
    authority = AuthorityFactory()
    assert authority.webhook_secret == ""
    authority.webhook_url = "https://hooks.example.com/redress"
    authority.save()
    secret = authority.webhook_secret
    assert len(secret) >= 40
    authority.save()
    authority.refresh_from_db()
    assert authority.webhook_secret == secret
    assert AuthorityFactory(webhook_url="https://other.example.com/h").webhook_secret != secret


def test_regulators_need_a_province_and_platform_owners_have_none():
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorityFactory(kind=Kind.MARKET_REGULATOR, region="")
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorityFactory(kind=Kind.PLATFORM_OWNER, region="110000")


def test_a_province_has_one_active_regulator():
    with pytest.raises(IntegrityError), transaction.atomic():
        AuthorityFactory(kind=Kind.MARKET_REGULATOR, region="110000")
    AuthorityFactory(kind=Kind.MARKET_REGULATOR, region="110000", active=False)


def test_one_open_escalation_per_merchant_and_authority():
    first = EscalationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationFactory(merchant=first.merchant, authority=first.authority)
    Escalation.objects.filter(pk=first.pk).update(status=Escalation.Status.CLOSED, closed_at=timezone.now())
    again = EscalationFactory(merchant=first.merchant, authority=first.authority)
    assert again.pk != first.pk
    # Another authority for the same merchant is another escalation.
    EscalationFactory(merchant=first.merchant, authority=AuthorityFactory())


def test_an_outcome_needs_a_response():
    with pytest.raises(IntegrityError), transaction.atomic():
        EscalationFactory(status=Escalation.Status.DELIVERED, outcome=Escalation.Outcome.NO_ACTION)


def test_events_are_append_only():
    escalation = EscalationFactory(merchant=MerchantFactory())
    event = EscalationEvent.objects.create(escalation=escalation, kind=EscalationEvent.Kind.OPENED)
    event.data = {"changed": True}
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    with pytest.raises(ValueError):
        EscalationEvent.objects.filter(pk=event.pk).update(kind="closed")
    with pytest.raises(ValueError):
        EscalationEvent.objects.all().delete()
    assert EscalationEvent.objects.get(pk=event.pk).data == {}


def test_deadline_defaults():
    authority = AuthorityFactory()
    assert (authority.ack_hours, authority.response_days) == (24, 15)
    escalation = EscalationFactory(authority=authority)
    assert escalation.response_due_at - escalation.opened_at == timedelta(days=15)
