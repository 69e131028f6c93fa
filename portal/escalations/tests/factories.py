from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from merchants.tests.factories import MerchantFactory
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.escalations.models import Authority, AuthorityMember, Escalation


class AuthorityFactory(factory.django.DjangoModelFactory):
    """A platform owner by default: regulators and police are one per province, and the migration seeds them
    (use `provincial` to get one in tests that flushed the seed)."""

    class Meta:
        model = Authority
        skip_postgeneration_save = True

    kind = Authority.Kind.PLATFORM_OWNER
    name_zh = factory.Sequence(lambda n: f"测试平台公司 {n}")
    name_en = factory.Sequence(lambda n: f"Test Platform Co. {n}")
    contact_emails = factory.Sequence(lambda n: [f"trust-safety@owner{n}.example.com"])

    @factory.post_generation
    def platforms(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.platforms.set(extracted)


def provincial(kind: str, region: str) -> Authority:
    """The active regulator (or police) of a province: the seeded one, or a new one if the seed was flushed."""
    return Authority.objects.filter(kind=kind, region=region, active=True).first() or AuthorityFactory(
        kind=kind, region=region, name_zh=f"{region} {kind}", name_en=f"{region} {kind}"
    )


def platform_owner(platform) -> Authority:
    """The owner of a platform: the seeded one, or a new one if the seed was flushed."""
    owner = Authority.objects.filter(kind=Authority.Kind.PLATFORM_OWNER, platforms=platform, active=True).first()
    return owner or AuthorityFactory(platforms=[platform])


class AuthorityStaffFactory(UserFactory):
    role = User.Role.AUTHORITY

    @factory.post_generation
    def authority(obj, create, extracted, **kwargs):
        if create and extracted:
            AuthorityMember.objects.create(user=obj, authority=extracted)


class EscalationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Escalation

    merchant = factory.SubFactory(MerchantFactory)
    authority = factory.SubFactory(AuthorityFactory)
    rules = factory.LazyFunction(lambda: ["surge"])
    opened_at = factory.LazyFunction(timezone.now)
    ack_due_at = factory.LazyAttribute(lambda o: o.opened_at + timedelta(hours=24))
    response_due_at = factory.LazyAttribute(lambda o: o.opened_at + timedelta(days=15))
    complaint_count = 5
    claimed_loss = Decimal("12000.00")
