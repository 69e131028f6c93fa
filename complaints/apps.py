from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self):
        # Connects the receivers that move complaints and their totals when merchants merge.
        from complaints import handlers  # noqa: F401
