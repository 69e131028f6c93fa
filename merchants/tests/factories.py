import factory

from merchants.models import Merchant, Platform


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    name = factory.Sequence(lambda n: f"果园小店 {n}")
    # get_or_create: transactional tests flush the platforms the migration seeded.
    platform = factory.LazyFunction(lambda: Platform.objects.get_or_create(code=Platform.Code.WECHAT_MINI_PROGRAM)[0])
