from django import forms
from django.utils.translation import gettext_lazy as _

from portal.escalations.models import Escalation

NOTE_MAX_LENGTH = 4000


class RespondForm(forms.Form):
    """An authority says what it did about an escalation; the note is kept on the escalation and its history."""

    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "—"), *Escalation.Outcome.choices])
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you did or will do, for the record (optional)."),
    )
