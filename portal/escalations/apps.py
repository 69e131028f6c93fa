from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationsConfig(AppConfig):
    """Authorities, early-warning risk, and escalations to the regulator, the platform owner and police."""

    name = "portal.escalations"
    verbose_name = _("Escalations")

    def ready(self):
        # Connects the receivers of complaints' signals.
        from portal.escalations import handlers  # noqa: F401
