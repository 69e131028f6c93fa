from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    """Moderators' tools that join complaints and merchants: merge proposals, merchant merges and history."""

    name = "portal.moderation"
    verbose_name = _("Moderation")
