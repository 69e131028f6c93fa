from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MerchantsConfig(AppConfig):
    name = "merchants"
    verbose_name = _("Merchants")

    def ready(self):
        # Registers the database check that PostgreSQL uses a UTF-8 ctype.
        from merchants import checks  # noqa: F401
