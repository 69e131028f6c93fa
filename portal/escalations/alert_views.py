"""Moderators' pages for risk alerts: propose a public warning about a merchant, approve it, withdraw it.

Moderators only: anonymous visitors log in first, anyone else signed in is refused (403). The warnings themselves
are public, so refusing says nothing a profile does not.
"""

from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from merchants.selectors import merchant_get
from portal.escalations import alerts
from portal.escalations.models import MerchantRisk, RiskAlert
from portal.escalations.selectors import RISK_HIGH, risk_level

MSG_PROPOSED = _("The risk alert is proposed. It is public once approved.")
MSG_APPROVED = _("The risk alert is published on the merchant's profile.")
MSG_WITHDRAWN = _("The risk alert was withdrawn: it is no longer shown.")


def moderator_only(view_func):
    @wraps(view_func)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_moderator:
            raise PermissionDenied(alerts.MSG_MODERATORS_ONLY)
        return view_func(request, *args, **kwargs)

    return wrapped


class RiskAlertForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=RiskAlert.Level.choices, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Warning"),
        max_length=alerts.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Published as written, on the profile and in search results. Say what buyers report, not what you "
            "conclude; phone numbers and other personal data are masked."
        ),
    )


def _alert(uuid) -> RiskAlert:
    alert = alerts.risk_alert_get(uuid=uuid)
    if alert is None:
        raise Http404
    return alert


@moderator_only
@require_safe
def alert_list(request):
    context = {
        "live": alerts.risk_alerts_live(),
        "withdrawn": alerts.risk_alerts_withdrawn(),
        "suggestions": alerts.high_risk_without_alert(threshold=RISK_HIGH),
    }
    return render(request, "escalations/alerts/list.html", context)


@moderator_only
@require_http_methods(["GET", "HEAD", "POST"])
def alert_create(request, uuid):
    merchant = merchant_get(uuid=uuid)
    if not merchant.is_active:
        return redirect("authority:alert_create", uuid=merchant.merged_into.uuid)
    risk = MerchantRisk.objects.filter(merchant=merchant).first()
    if request.method == "POST":
        form = RiskAlertForm(request.POST)
        if form.is_valid():
            try:
                alerts.risk_alert_create(merchant=merchant, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, MSG_PROPOSED)
                return redirect("authority:alerts")
    else:
        level = risk_level(risk.score if risk else None)
        form = RiskAlertForm(initial={"level": level if level in RiskAlert.Level.values else ""})
    context = {
        "merchant": merchant,
        "form": form,
        "risk": risk,
        "live_alert": alerts.merchant_live_alert(merchant_id=merchant.pk),
    }
    return render(request, "escalations/alerts/create.html", context)


def _decide(request, uuid, service, success_message):
    try:
        service(alert=_alert(uuid), actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success_message)
    return redirect("authority:alerts")


@moderator_only
@require_POST
def alert_approve(request, uuid):
    return _decide(request, uuid, alerts.risk_alert_approve, MSG_APPROVED)


@moderator_only
@require_POST
def alert_withdraw(request, uuid):
    return _decide(request, uuid, alerts.risk_alert_withdraw, MSG_WITHDRAWN)
