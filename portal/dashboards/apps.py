from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Dashboards for authorities and moderators, public statistics, exports and the stats API."""

    name = "portal.dashboards"
    verbose_name = _("Dashboards")
