"""The filing wizard's forms. Model validation (lengths, dates, amounts) is reused through ModelForms."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import NARRATIVE_MAX, NARRATIVE_MIN, Category, Complaint, PaymentMethod
from complaints.services import MSG_NO_MERCHANT
from complaints.workflow import MSG_ANSWER_REQUIRED
from merchants.regions import Region
from merchants.selectors import platform_choices
from merchants.services import MerchantClaims

MERCHANT_FIELDS = MerchantClaims.field_names()
FACT_FIELDS = ["category", "narrative", "amount", "payment_method", "paid_at", "order_number", "region", "vulnerable"]
PRIVACY_FIELDS = ["consent_publish", "hide_identity"]

# What the file picker offers; the server checks the bytes whatever the picker let through.
EVIDENCE_ACCEPT = ".jpg,.jpeg,.png,.webp,.pdf,image/jpeg,image/png,image/webp,application/pdf"
# ISO first: <input type="date"> sends it; the others are what people type where date pickers are missing.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]
CENTS = Decimal("0.01")


class MerchantForm(forms.ModelForm):
    platform = forms.ChoiceField(
        label=_("Platform"),
        choices=[("", _("I don't know / not listed")), *platform_choices()],
        required=False,
        help_text=_("Where you found the merchant or paid them."),
    )

    class Meta:
        model = Complaint
        fields = MERCHANT_FIELDS
        # Phone keyboards: digits for numbers, no autocorrect on identifiers that must stay exact.
        widgets = {
            "shop_url": forms.TextInput(attrs={"inputmode": "url", "autocapitalize": "off", "spellcheck": "false"}),
            "merchant_phone": forms.TextInput(attrs={"inputmode": "tel"}),
            "app_id": forms.TextInput(attrs={"autocapitalize": "off", "spellcheck": "false"}),
            "wechat_id": forms.TextInput(attrs={"autocapitalize": "off", "spellcheck": "false"}),
            "payee_account": forms.TextInput(attrs={"autocapitalize": "off", "spellcheck": "false"}),
            "company_uscc": forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false"}),
        }
        help_texts = {
            "merchant_name": _("The shop or seller name as you saw it, in any language."),
            "mini_program_name": _("The name shown at the top of the mini program."),
            "app_id": _(
                "In WeChat, open the mini program, tap ··· at the top right, tap its name, then “More info”: "
                "the AppID starts with “wx”."
            ),
            "shop_url": _("The link to the shop or the product page, if you have one."),
            "merchant_phone": _("A phone number the merchant gave you or that appears on the shop page."),
            "wechat_id": _("The seller's WeChat ID (not the nickname), shown on their profile page."),
            "payee_account": _(
                "Who you paid: the payee on your WeChat Pay or Alipay receipt, or the bank account you transferred to."
            ),
            "company_name": _("The company behind the shop, often shown on the mini program's “More info” page."),
            "company_uscc": _("The 18-character unified social credit code printed on the business licence."),
        }

    def clean(self):
        cleaned = super().clean()
        claims = MerchantClaims(**{name: cleaned.get(name) or "" for name in MERCHANT_FIELDS})
        if claims.is_empty():
            raise forms.ValidationError(MSG_NO_MERCHANT, code="no_merchant")
        for name, error in claims.errors().items():
            self.add_error(name, forms.ValidationError(error.message, code=error.code))
        return cleaned


class FactsForm(forms.ModelForm):
    paid_at = forms.DateField(
        label=_("Date paid"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The day you paid, if you remember it."),
    )

    class Meta:
        model = Complaint
        fields = FACT_FIELDS
        widgets = {
            "category": forms.RadioSelect,
            "narrative": forms.Textarea(attrs={"rows": 8, "maxlength": NARRATIVE_MAX}),
            "amount": forms.NumberInput(attrs={"min": 0, "step": "0.01", "inputmode": "decimal"}),
            "order_number": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        labels = {
            "category": _("What kind of problem"),
            "amount": _("Amount lost (CNY)"),
            "vulnerable": _("I am elderly or a minor, or I am filing for such a person"),
        }
        help_texts = {
            "vulnerable": _("Moderators look at these complaints first."),
            "amount": _("In yuan, for example 199.00. Leave empty if you lost no money."),
            "order_number": _("The order number or the transaction number on your payment receipt."),
            "region": _("Where you live: the regulator of your province can be told."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = Category.choices
        self.fields["payment_method"].choices = [("", _("Not specified")), *PaymentMethod.choices]
        self.fields["region"].choices = [("", _("Not specified")), *Region.choices]
        # The date picker cannot offer tomorrow; the model validator still refuses it.
        self.fields["paid_at"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["narrative"].help_text = _(
            "Tell what happened in your own words: what you bought, what the merchant promised and what went "
            "wrong. Between %(min)d and %(max)d characters."
        ) % {"min": NARRATIVE_MIN, "max": NARRATIVE_MAX}

    def clean_amount(self):
        # Money always carries two places, as the complaint will store it ("12.5" is "12.50").
        amount = self.cleaned_data["amount"]
        return amount.quantize(CENTS) if amount is not None else None


class PrivacyForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = PRIVACY_FIELDS
        labels = {
            "consent_publish": _("Publish a redacted account of my complaint"),
            "hide_identity": _("Hide my identity from the merchant"),
        }
        help_texts = {
            "consent_publish": _(
                "Only after a moderator has checked it, and with your name, phone numbers and other personal "
                "details removed. It warns other buyers. You can withdraw your consent later."
            ),
            "hide_identity": _(
                "The merchant will not see your name or contact details; moderators pass on their reply."
            ),
        }


class AnswerForm(forms.Form):
    """The complainant's answer to a moderator's question."""

    answer = forms.CharField(
        label=_("Your answer"),
        max_length=NARRATIVE_MAX,
        error_messages={"required": MSG_ANSWER_REQUIRED},
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": NARRATIVE_MAX}),
        help_text=_("Answer the question above. To send more files, add them as evidence below."),
    )


class ConsentForm(forms.Form):
    """Give (consent=1) or withdraw (consent=0) consent to publication: one button each."""

    consent = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Hands every selected file to the evidence service, which checks each one and says why it refuses it."""

    widget = MultipleFileInput

    def clean(self, data, initial=None):
        return [upload for upload in (data or []) if upload]


class EvidenceForm(forms.Form):
    evidence = MultipleFileField(
        label=_("Add files"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].help_text = _(
            "Screenshots of the order, the chat and the payment receipt. Up to %(count)d files: JPEG, PNG or WebP "
            "pictures and PDF documents, %(size)d MB each."
        ) % {"count": settings.EVIDENCE_MAX_FILES, "size": settings.EVIDENCE_MAX_BYTES // (1024 * 1024)}
