"""Forms of the right of reply. They parse; complaints.replies decides (its ValidationErrors land on these
forms' fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.models import ResolutionProposal, ReviewRequest
from complaints.replies import MSG_MESSAGE_REQUIRED, MSG_REPLY_REQUIRED, REASON_MAX, REPLY_MAX

REVIEW_EXPLANATION_MAX = 2000


def _textarea(limit: int, rows: int = 5) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": limit})


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your public reply"),
        max_length=REPLY_MAX,
        error_messages={"required": MSG_REPLY_REQUIRED},
        widget=_textarea(REPLY_MAX, rows=6),
        help_text=_(
            "Published beside the complaint and sent to the complainant. Phone numbers, ID and card numbers and the "
            "complainant's contact details are masked."
        ),
    )


class ProposalForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What you offer"), choices=ResolutionProposal.Kind.choices, widget=forms.RadioSelect
    )
    amount = forms.DecimalField(
        label=_("Refund amount (CNY)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0.01"}),
        help_text=_("Only for a refund."),
    )
    message = forms.CharField(
        label=_("Message to the complainant"),
        max_length=REPLY_MAX,
        error_messages={"required": MSG_MESSAGE_REQUIRED},
        widget=_textarea(REPLY_MAX),
        help_text=_(
            "Say what you will do and when. If the complainant accepts, the complaint is closed with this outcome."
        ),
    )


class ProposalRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why you reject it (optional)"),
        required=False,
        max_length=REASON_MAX,
        widget=_textarea(REASON_MAX, rows=3),
        help_text=_("Sent to the merchant with personal details masked."),
    )


class ReviewRequestForm(forms.Form):
    reason = forms.ChoiceField(label=_("Why moderators should look again"), choices=ReviewRequest.Reason.choices)
    explanation = forms.CharField(
        label=_("Explanation"),
        max_length=REVIEW_EXPLANATION_MAX,
        widget=_textarea(REVIEW_EXPLANATION_MAX),
        help_text=_("What is wrong and how you know. Moderators read it before they decide."),
    )
