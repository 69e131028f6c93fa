from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

MSG_TOO_SHORT = _("This password is too short: use at least %(min_length)d characters.")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's own check with a message Redress translates: Django 5.2 changed the msgid of its "too short"
    message and its Simplified Chinese catalogue has no translation of the new one, so sign-up would refuse a
    short password in English on a Chinese page. The minimum (settings) is always more than one character."""

    def get_error_message(self):
        return str(MSG_TOO_SHORT % {"min_length": self.min_length})
