"""The cast of the right of reply: an approved representative of a merchant and complaints against it, filed
and accepted through the real services (so reply clocks, rollups and timelines are what production makes)."""

from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints import workflow
from complaints.models import Complaint
from complaints.services import complaint_submit
from merchants.models import Representative
from merchants.services import MerchantClaims
from merchants.tests.factories import MerchantFactory
from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory

NARRATIVE = "我在小程序预购了一部手机，付款后商家一直不发货，客服电话13812345678也打不通了。"
USCC = "91500112MA60R7K36L"


class RepresentativeFactory(factory.django.DjangoModelFactory):
    """An approved claim, as a moderator leaves it (the claim and approval pages are portal.business's)."""

    class Meta:
        model = Representative

    merchant = factory.SubFactory(MerchantFactory)
    user = factory.SubFactory(UserFactory, role=User.Role.MERCHANT_REP)
    company_name = "重庆易享购电子科技有限公司"
    uscc = USCC
    licence = factory.LazyFunction(
        lambda: SimpleUploadedFile("licence.pdf", b"%PDF-1.4\n%licence\n", content_type="application/pdf")
    )
    status = Representative.Status.APPROVED
    decided_by = factory.SubFactory(UserFactory, role=User.Role.MODERATOR)
    decided_at = factory.LazyFunction(timezone.now)


def file_complaint(*, complainant, app_id: str = "wx7c3e9a1f5b2d4e60", name: str = "易享购", **facts) -> Complaint:
    """A complaint through the filing service; the app ID decides which merchant it lands on."""
    fields = {
        "category": "not_delivered",
        "narrative": NARRATIVE,
        "amount": Decimal("6999.00"),
        "order_number": "YXG20250301123456",
        "consent_publish": True,
        **facts,
    }
    return complaint_submit(
        complainant=complainant,
        claims=MerchantClaims(merchant_name=name, app_id=app_id, platform="wechat_mini_program"),
        **fields,
    )


def accepted_complaint(*, complainant, moderator, **kwargs) -> Complaint:
    return workflow.complaint_accept(complaint=file_complaint(complainant=complainant, **kwargs), moderator=moderator)
