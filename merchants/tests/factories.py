import factory

from merchants.identifiers import normalize_name
from merchants.models import Merchant, Platform


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    name = factory.Sequence(lambda n: f"果园小店 {n}")
    normalized_name = factory.LazyAttribute(lambda o: normalize_name(o.name))
    platform = factory.LazyFunction(lambda: Platform.objects.get(code=Platform.Code.WECHAT_MINI_PROGRAM))
