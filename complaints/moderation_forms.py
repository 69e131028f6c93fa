"""Moderators' input on complaints: the queue's filters, bulk decisions, and one form per action on a case.

`run_action` is the one place the pages and the API turn an action's name and cleaned input into a call to
complaints.workflow, so both take exactly the same steps.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints import workflow
from complaints.codes import normalize_tracking_code
from complaints.models import Category, Complaint, Flag
from merchants.regions import Region
from merchants.selectors import platform_choices

NOTE_MAX_LENGTH = 2000
REDACTION_MAX_LENGTH = 10000
BULK_MAX = 100
Status = Complaint.Status

MSG_NO_COMPLAINTS = _("Tick at least one complaint.")
MSG_TOO_MANY = _("At most %(max)d complaints at a time.")
MSG_OPEN_STATUSES = _("Waiting for a moderator")
MSG_ANY = _("Any")
MSG_NOTE = _("Note to the complainant")

OUTCOME_CHOICES = [(status, label) for status, label in Status.choices if status in workflow.CLOSURES]
BULK_ACTIONS = [("accept", _("Accept")), ("reject", _("Reject"))]


def _any(choices) -> list:
    return [("", MSG_ANY), *choices]


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string; each left blank filters nothing."""

    status = forms.ChoiceField(label=_("Status"), choices=[("", MSG_OPEN_STATUSES), *Status.choices], required=False)
    category = forms.ChoiceField(label=_("What happened"), choices=_any(Category.choices), required=False)
    platform = forms.ChoiceField(label=_("Platform"), choices=_any(platform_choices()), required=False)
    region = forms.ChoiceField(label=_("Province"), choices=_any(Region.choices), required=False)
    flag = forms.ChoiceField(label=_("Flag"), choices=_any(Flag.Kind.choices), required=False)
    merchant = forms.UUIDField(
        label=_("Merchant"), required=False, help_text=_("The merchant's public id, from its page.")
    )

    def filters(self) -> dict:
        """What complaints.queue.moderation_queue takes; the valid fields of a partly invalid query still apply."""
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value}


class CodesField(forms.Field):
    """The tracking codes of the ticked complaints; anything that cannot be a code is dropped."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        codes = [normalize_tracking_code(str(item)) for item in (value or [])]
        return list(dict.fromkeys(code for code in codes if code))

    def validate(self, value):
        if not value:
            raise forms.ValidationError(MSG_NO_COMPLAINTS, code="required")
        if len(value) > BULK_MAX:
            raise forms.ValidationError(MSG_TOO_MANY, code="too_many", params={"max": BULK_MAX})


class BulkForm(forms.Form):
    codes = CodesField(label=_("Complaints"))
    action = forms.ChoiceField(label=_("Decision"), choices=BULK_ACTIONS)
    reason = forms.ChoiceField(
        label=_("Reason for rejecting"),
        choices=[("", "—"), *Complaint.RejectReason.choices],
        required=False,
        help_text=_("Needed to reject."),
    )
    note = forms.CharField(
        label=_("Note to the complainants"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "reject" and not cleaned.get("reason"):
            self.add_error("reason", forms.ValidationError(workflow.MSG_REASON_REQUIRED, code="required"))
        return cleaned


def _note() -> forms.CharField:
    return forms.CharField(
        label=MSG_NOTE, required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class EmptyForm(forms.Form):
    """Review, claim and release take nothing but the button."""


class AcceptForm(forms.Form):
    note = _note()


class RequestInfoForm(forms.Form):
    question = forms.CharField(
        label=_("Question for the complainant"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the complainant by email; the complaint waits for their answer."),
    )


# Reasons and outcomes start blank, so that none is given by a moderator who did not choose it.
class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason for rejecting"), choices=[("", "—"), *Complaint.RejectReason.choices])
    note = _note()


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *OUTCOME_CHOICES])
    note = _note()


class RedactionForm(forms.Form):
    text = forms.CharField(
        label=_("Redacted account (published text)"),
        required=False,
        max_length=REDACTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "The only text shown in public and to the merchant. Leave it empty to restore the automatic redaction."
        ),
    )


# The steps a case's page and the API offer, by the name in their URLs.
ACTION_FORMS = {
    "review": EmptyForm,
    "request-info": RequestInfoForm,
    "accept": AcceptForm,
    "reject": RejectForm,
    "close": CloseForm,
    "claim": EmptyForm,
    "release": EmptyForm,
    "redaction": RedactionForm,
}


def run_action(*, action: str, complaint: Complaint, moderator, data: dict) -> Complaint:
    """Take one of the ACTION_FORMS steps on the case with its cleaned input; raises workflow.TransitionError."""
    common = {"complaint": complaint, "moderator": moderator}
    note = data.get("note", "")
    match action:
        case "review":
            return workflow.complaint_review_start(**common)
        case "request-info":
            return workflow.complaint_request_info(**common, question=data["question"])
        case "accept":
            return workflow.complaint_accept(**common, note=note)
        case "reject":
            return workflow.complaint_reject(**common, reason=data["reason"], note=note)
        case "close":
            return workflow.complaint_close(**common, outcome=data["outcome"], note=note)
        case "claim":
            return workflow.complaint_claim(**common)
        case "release":
            return workflow.complaint_release(**common)
        case "redaction":
            return workflow.complaint_redaction_edit(**common, text=data["text"])
    raise ValueError(action)
