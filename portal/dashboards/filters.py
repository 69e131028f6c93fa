"""The dashboard's filters, read from the URL's query string so a view can be shared and bookmarked. The page,
its exports and the stats API all parse them here, and the user's scope narrows them before any figure is read.
"""

from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.models import Category
from complaints.statistics import INTERVALS, StatsFilter
from merchants.regions import Region
from merchants.selectors import merchant_find, platform_choices
from portal.dashboards.scope import Scope
from portal.escalations.selectors import RISK_LEVELS, risk_level_q

DEFAULT_DAYS = 90
# About three years: the longest period one request may aggregate.
MAX_DAYS = 1100
# Dates a period may use: far enough inside the calendar that its previous period, its first week or month and the
# next midnight all exist (year 1 or 9999 overflowed into a server error).
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(2100, 12, 31)

MSG_RANGE_ORDER = _("The start date must not be after the end date.")
MSG_RANGE_LONG = _("Choose a period of at most %(days)d days.")
MSG_MERCHANT_UNKNOWN = _("No merchant has this id.")
MSG_RANGE_CALENDAR = _("Choose dates between %(first)s and %(last)s.")

RISK_LABELS = {"high": _("High risk"), "medium": _("Medium risk"), "low": _("Low or no risk")}
RISK_CHOICES = [(level, RISK_LABELS[level]) for level in RISK_LEVELS]
INTERVAL_LABELS = {"day": _("Daily"), "week": _("Weekly"), "month": _("Monthly")}
INTERVAL_CHOICES = [(interval, INTERVAL_LABELS[interval]) for interval in INTERVALS]


def _within(choices, allowed):
    return [(code, label) for code, label in choices if allowed is None or code in allowed]


class DashboardFilterForm(forms.Form):
    """Bound to request.GET. Province and platform choices are only those inside the user's scope."""

    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    province = forms.MultipleChoiceField(label=_("Provinces"), required=False)
    platform = forms.MultipleChoiceField(label=_("Platforms"), required=False)
    category = forms.MultipleChoiceField(label=_("Categories"), required=False, choices=Category.choices)
    merchant = forms.UUIDField(label=_("Merchant"), required=False, widget=forms.HiddenInput)
    risk = forms.MultipleChoiceField(label=_("Risk level"), required=False, choices=RISK_CHOICES)
    verified = forms.BooleanField(label=_("Verified complaints only"), required=False)
    interval = forms.ChoiceField(label=_("Interval"), required=False, choices=INTERVAL_CHOICES)

    def __init__(self, data, *, scope: Scope):
        # "from" and "to" are the URL's names; "from" cannot be a Python attribute.
        data = data.copy()
        for url_name, field in (("from", "start"), ("to", "end")):
            if url_name in data:
                data[field] = data[url_name]
        super().__init__(data)
        self.scope = scope
        self.fields["province"].choices = _within(Region.choices, scope.regions)
        self.fields["platform"].choices = _within(platform_choices(), scope.platforms)
        self.merchant = None

    def clean_merchant(self):
        uuid = self.cleaned_data.get("merchant")
        if uuid is None:
            return None
        self.merchant = merchant_find(uuid=uuid)
        if self.merchant is None:
            raise forms.ValidationError(MSG_MERCHANT_UNKNOWN, code="unknown")
        return uuid

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        end = cleaned.get("end") or today
        start = cleaned.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        if start < FIRST_DAY or end > LAST_DAY:
            raise forms.ValidationError(
                MSG_RANGE_CALENDAR,
                code="range_calendar",
                params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
            )
        if start > end:
            raise forms.ValidationError(MSG_RANGE_ORDER, code="range_order")
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(MSG_RANGE_LONG, code="range_long", params={"days": MAX_DAYS})
        cleaned["start"], cleaned["end"] = start, end
        if not cleaned.get("interval"):
            days = (end - start).days + 1
            cleaned["interval"] = "day" if days <= 92 else "week" if days <= 400 else "month"
        return cleaned

    def stats_filter(self) -> StatsFilter:
        """The filter every figure reads: what the user chose, inside their scope. Call after is_valid()."""
        data = self.cleaned_data
        regions = tuple(sorted(data["province"])) or self._scoped(self.scope.regions)
        platforms = tuple(sorted(data["platform"])) or self._scoped(self.scope.platforms)
        return StatsFilter(
            start=data["start"],
            end=data["end"],
            regions=regions,
            platforms=platforms,
            categories=tuple(sorted(data["category"])) or None,
            merchant_ids=(self.merchant.pk,) if self.merchant else None,
            verified=data["verified"],
            merchant_q=risk_level_q(data["risk"]) if data["risk"] else None,
        )

    @staticmethod
    def _scoped(allowed):
        return tuple(sorted(allowed)) if allowed is not None else None

    def query_params(self) -> dict[str, list[str]]:
        """The valid filters as URL parameters (with "from" and "to"), for links that must keep them."""
        data = self.cleaned_data
        params = {
            "from": [data["start"].isoformat()],
            "to": [data["end"].isoformat()],
            "province": list(data["province"]),
            "platform": list(data["platform"]),
            "category": list(data["category"]),
            "risk": list(data["risk"]),
            "interval": [data["interval"]],
        }
        if data["merchant"]:
            params["merchant"] = [str(self.merchant.uuid)]
        if data["verified"]:
            params["verified"] = ["1"]
        return {key: values for key, values in params.items() if values}
