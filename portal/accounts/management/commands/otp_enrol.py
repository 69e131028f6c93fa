"""`manage.py otp_enrol EMAIL [--replace]`

Gives a staff account the TOTP device the admin asks for (django-otp) and prints its otpauth:// URI, to paste or
type into an authenticator app (or `oathtool --totp -b SECRET`). Run on the server by an operator, so the device
is confirmed at once; the URI holds the secret: show it to its owner only.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import User

DEVICE_NAME = "admin"

MSG_NO_USER = _("No active account has the address %(email)s.")
MSG_NOT_STAFF = _("%(email)s is not staff: only staff accounts use the admin.")
MSG_HAS_DEVICE = _(
    "%(email)s already has an authenticator; --replace gives it a new one and the old one stops working."
)
MSG_ENROLLED = _("Add this to the authenticator app of %(email)s; the admin asks for its six-digit code:")


class Command(BaseCommand):
    help = "Enrol a staff account's authenticator app (TOTP) for the admin and print its otpauth:// URI."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--replace", action="store_true", help="Replace the account's existing authenticator.")

    def handle(self, *args, email, replace, **options):
        email = email.strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(str(MSG_NO_USER % {"email": email}))
        if not user.is_staff:
            raise CommandError(str(MSG_NOT_STAFF % {"email": email}))
        with transaction.atomic():
            devices = TOTPDevice.objects.select_for_update().filter(user=user)
            if devices.exists() and not replace:
                raise CommandError(str(MSG_HAS_DEVICE % {"email": email}))
            devices.delete()
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        self.stdout.write(str(MSG_ENROLLED % {"email": email}))
        self.stdout.write(device.config_url)
