import re

from django import forms
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from merchants.models import Merchant
from merchants.selectors import merchant_get, merchant_root

NOTE_MAX_LENGTH = 2000
# A merchant's public id, alone or inside any of its addresses (/merchants/<id>/, /moderation/merchants/<id>/).
UUID_IN_TEXT = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE)

MSG_NO_MERCHANT_ID = _("Paste the other merchant's public id or the address of its page.")
MSG_UNKNOWN_MERCHANT = _("No merchant has this id.")


class DecisionForm(forms.Form):
    """Accepting or rejecting a merge proposal; the note goes into the merchant's history."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why, for the merchant's history (optional)."),
    )


class UndoMergeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why undo this merge"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeIntoForm(forms.Form):
    target = forms.CharField(
        label=_("The merchant to merge into"),
        max_length=500,
        help_text=_("Its public id or the address of its page."),
    )
    reason = forms.CharField(
        label=_("Why they are one merchant"), max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_target(self) -> Merchant:
        found = UUID_IN_TEXT.search(self.cleaned_data["target"])
        if found is None:
            raise forms.ValidationError(MSG_NO_MERCHANT_ID, code="no_id")
        try:
            merchant = merchant_get(uuid=found.group(0))
        except Http404:
            raise forms.ValidationError(MSG_UNKNOWN_MERCHANT, code="unknown") from None
        # An old address of a merged merchant means the merchant it is part of now.
        return merchant_root(merchant)


class EscalateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why this merchant should be escalated"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The regulator, the platform owner and, for large losses, the police receive it."),
    )


class ClaimDecisionForm(forms.Form):
    """Approving, rejecting or revoking a representative's claim; the note is emailed to the claimant."""

    note = forms.CharField(
        label=_("Note to the claimant"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Emailed to the claimant. Required to reject or revoke a claim."),
    )


class ReviewDecisionForm(forms.Form):
    """A moderator's answer to a representative's review request."""

    UPHOLD, DISMISS = "uphold", "dismiss"

    decision = forms.ChoiceField(choices=[(UPHOLD, _("Uphold")), (DISMISS, _("Dismiss"))])
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why, for the record (optional)."),
    )
