"""Claims to represent a merchant, for tests: valid USCCs, merchants registered under one, licence files."""

import factory
from django.core.files.base import ContentFile
from stdnum.cn import uscc as stdnum_uscc

from complaints.tests import files
from merchants.models import Representative
from merchants.tests.factories import MerchantFactory
from portal.accounts.tests.factories import UserFactory


def make_uscc(serial: int) -> str:
    """A valid unified social credit code (Shenzhen, a company), distinct for each serial number."""
    base = f"91440300MA5F{serial:05d}"
    return base + stdnum_uscc.calc_check_digit(base)


class RegisteredMerchantFactory(MerchantFactory):
    """A merchant whose registration number (USCC) is on record."""

    company_name = factory.Sequence(lambda n: f"深圳市果园{n}网络科技有限公司")
    uscc = factory.Sequence(make_uscc)


class RepresentativeFactory(factory.django.DjangoModelFactory):
    """A claim with a real PDF licence; pass status=... for a decided one."""

    class Meta:
        model = Representative

    merchant = factory.SubFactory(RegisteredMerchantFactory)
    user = factory.SubFactory(UserFactory)
    company_name = factory.LazyAttribute(lambda o: o.merchant.company_name or "深圳市果园网络科技有限公司")
    uscc = factory.LazyAttribute(lambda o: o.merchant.uscc)
    licence = factory.LazyFunction(lambda: ContentFile(files.pdf_bytes(), name="licence.pdf"))
