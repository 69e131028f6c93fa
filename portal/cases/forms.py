from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from complaints.cases import MESSAGE_MAX, MSG_BODY_EMPTY, Victim
from complaints.redaction import find_pii

MSG_PERSONAL_DATA = _(
    "Your message seems to contain a phone number, an email address, an account or an ID number. It is sent "
    "exactly as written: tick the box below to send it anyway, or remove them."
)
MSG_CHOOSE_VICTIM = _("Choose who to write to.")


def victim_label(victim: Victim) -> str:
    month = formats.date_format(timezone.localtime(victim.first_filed), "YEAR_MONTH_FORMAT")
    return _("Victim #%(number)d, filed %(month)s, %(category)s") % {
        "number": victim.number,
        "month": month,
        "category": victim.category_display,
    }


class ContactForm(forms.Form):
    """Let other victims write to me (contactable=1), or stop them (contactable=0): one button each."""

    contactable = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


class _BodyForm(forms.Form):
    """A message to another victim. Nothing in it is masked (victims may want to exchange contact details), so
    a body that looks like it carries personal data is sent only once the writer confirms."""

    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX,
        error_messages={"required": MSG_BODY_EMPTY},
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": MESSAGE_MAX}),
        help_text=_(
            "Sent through Redress: the other victim does not see your name or email address, and you do not see "
            "theirs. What you write is sent as it is, so share a phone number or other contact details only if "
            "you want this person to have them."
        ),
    )
    send_anyway = forms.BooleanField(label=_("Send it with these details"), required=False)
    asks_confirmation = False

    def clean(self):
        cleaned = super().clean()
        body = cleaned.get("body")
        if body and find_pii(body) and not cleaned.get("send_anyway"):
            self.asks_confirmation = True
            raise ValidationError(MSG_PERSONAL_DATA, code="personal_data")
        return cleaned


class MessageForm(_BodyForm):
    to = forms.ChoiceField(label=_("To"), error_messages={"required": MSG_CHOOSE_VICTIM})

    field_order = ["to", "body", "send_anyway"]

    def __init__(self, *args, victims: list[Victim], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [("", "---------")] + [(victim.key, victim_label(victim)) for victim in victims]
        self.fields["to"].error_messages["invalid_choice"] = MSG_CHOOSE_VICTIM


class ReplyForm(_BodyForm):
    pass
