from decimal import Decimal

import factory

from complaints.codes import new_tracking_code
from complaints.models import Category, Complaint
from merchants.tests.factories import MerchantFactory
from portal.accounts.tests.factories import UserFactory


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    code = factory.LazyFunction(new_tracking_code)
    complainant = factory.SubFactory(UserFactory)
    merchant = factory.SubFactory(MerchantFactory)
    linked_merchant = factory.SelfAttribute("merchant")
    complainant_key = factory.LazyAttribute(lambda o: f"u{o.complainant.pk}")
    merchant_name = factory.LazyAttribute(lambda o: o.merchant.name)
    platform = "wechat_mini_program"
    category = Category.NOT_DELIVERED
    narrative = "我在小程序预购了一部手机，付款后商家一直不发货，客服也联系不上了。"
    amount = Decimal("6999.00")
    payment_method = "wechat_pay"
