from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from complaints.uploads import check_upload, extension_of, sanitize_filename
from merchants.identifiers import InvalidIdentifier, normalize_uscc
from merchants.models import Merchant
from merchants.representatives import MSG_LICENCE_TYPE
from merchants.selectors import merchant_find
from portal.moderation.forms import UUID_IN_TEXT

# What a business licence may be: a scan or photo (JPEG, PNG) or the PDF the registry issues. No WebP, which
# evidence accepts: licences come from scanners and registries, not phones' screenshots.
LICENCE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}
LICENCE_ACCEPT = ".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"

MSG_NO_MERCHANT = _("Paste the address of the merchant's page on Redress.")
MSG_UNKNOWN_MERCHANT = _("No merchant has this address. Find it with “Check a merchant” and copy its page's address.")


def merchant_from_text(text: str) -> Merchant | None:
    """The active merchant a public id, or any address containing one, stands for."""
    found = UUID_IN_TEXT.search(text or "")
    return merchant_find(uuid=found.group(0)) if found else None


class ClaimForm(forms.Form):
    """A business user's claim: which merchant, the company and its USCC as on the licence, and the licence."""

    merchant = forms.CharField(
        label=_("Merchant"),
        max_length=500,
        help_text=_("The address of the merchant's page on Redress (open it from “Check a merchant”)."),
    )
    company_name = forms.CharField(label=_("Company name"), max_length=200, help_text=_("As on the business licence."))
    uscc = forms.CharField(
        label=_("Unified social credit code (USCC)"),
        max_length=40,
        help_text=_("The 18 letters and digits on the business licence."),
    )
    licence = forms.FileField(
        label=_("Business licence"),
        widget=forms.FileInput(attrs={"accept": LICENCE_ACCEPT}),
    )

    def __init__(self, *args, merchant: Merchant | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["licence"].help_text = _(
            "A photo or scan (JPEG, PNG) or a PDF, up to %(size)d MB. Only moderators see it."
        ) % {"size": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
        self.known_merchant = merchant
        if merchant is not None:
            # Arriving from the merchant's page: the merchant is shown, not typed.
            self.fields["merchant"].widget = forms.HiddenInput()
            self.initial.setdefault("merchant", str(merchant.uuid))

    def clean_merchant(self) -> Merchant:
        text = self.cleaned_data["merchant"]
        if not UUID_IN_TEXT.search(text):
            raise ValidationError(MSG_NO_MERCHANT, code="no_id")
        merchant = merchant_from_text(text)
        if merchant is None:
            raise ValidationError(MSG_UNKNOWN_MERCHANT, code="unknown")
        return merchant

    def clean_uscc(self) -> str:
        # Checked here too, so a mistyped check character shows with the form's other errors.
        try:
            return normalize_uscc(self.cleaned_data["uscc"])
        except InvalidIdentifier as error:
            raise ValidationError(error.message, code=error.code) from None

    def clean_licence(self):
        upload = self.cleaned_data["licence"]
        if extension_of(sanitize_filename(upload.name)) not in LICENCE_TYPES:
            raise ValidationError(MSG_LICENCE_TYPE, code="unsupported_type")
        # The size cap and the real bytes: a renamed file is refused here, before anything is stored.
        checked = check_upload(upload)
        upload.name = checked.display_name
        return upload
