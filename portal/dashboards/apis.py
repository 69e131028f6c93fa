"""Stats API v1 (DESIGN.md section 7): the dashboard's figures for authority staff and moderators, with the page's
query parameters and inside the same scope. Anonymous callers get 401; signed-in users without a dashboard 403.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from complaints.models import Category
from complaints.statistics import DIMENSIONS, INTERVALS, stats_timeseries
from merchants.regions import Region
from merchants.selectors import platform_choices
from portal.dashboards.filters import DashboardFilterForm
from portal.dashboards.scope import scope_for_user
from portal.dashboards.selectors import RISING_LIMIT, dashboard_summary, labelled_breakdown, rising_merchants
from portal.escalations.selectors import RISK_LEVELS

MSG_NO_DASHBOARD = _("Only moderators and the staff of an authority may read statistics.")
MAX_MERCHANTS = 100
# The form's field names for the URL's "from" and "to"; its non-field errors go under the API's usual key.
ERROR_KEYS = {"start": "from", "end": "to", "__all__": "non_field_errors"}

FILTER_PARAMETERS = [
    OpenApiParameter(
        "from",
        OpenApiTypes.DATE,
        description=_("First day of the period (default: the period is the 90 days up to `to`)."),
    ),
    OpenApiParameter("to", OpenApiTypes.DATE, description=_("Last day of the period, included (default: today).")),
    OpenApiParameter(
        "province",
        str,
        many=True,
        enum=Region.values,
        description=_("GB/T 2260 province code; repeat for several. Only provinces inside your scope are accepted."),
    ),
    OpenApiParameter(
        "platform",
        str,
        many=True,
        enum=[code for code, _label in platform_choices()],
        description=_("Platform code; repeat for several. Only platforms inside your scope are accepted."),
    ),
    OpenApiParameter(
        "category", str, many=True, enum=Category.values, description=_("Complaint category; repeat for several.")
    ),
    OpenApiParameter("merchant", OpenApiTypes.UUID, description=_("One merchant's public id.")),
    OpenApiParameter(
        "risk", str, many=True, enum=list(RISK_LEVELS), description=_("Merchants' risk level; repeat for several.")
    ),
    OpenApiParameter("verified", OpenApiTypes.BOOL, description=_("Count only complaints a moderator has accepted.")),
    OpenApiParameter(
        "interval",
        str,
        enum=list(INTERVALS),
        description=_("Length of each period of a series (default: by the period's length)."),
    ),
]


class HasDashboard(BasePermission):
    """Moderators and active authority staff; keeps the user's scope on the view for the filters."""

    message = MSG_NO_DASHBOARD

    def has_permission(self, request, view):
        view.scope = scope_for_user(request.user)
        return view.scope is not None


def _parsed(request, view, input_serializer=None) -> tuple[DashboardFilterForm, dict]:
    """The dashboard filters (inside the caller's scope) and the operation's own parameters, validated together so
    one 400 names every refused parameter."""
    form = DashboardFilterForm(request.query_params, scope=view.scope)
    errors = {}
    if not form.is_valid():
        errors = {ERROR_KEYS.get(name, name): list(messages) for name, messages in form.errors.items()}
    data = {}
    if input_serializer is not None:
        serializer = input_serializer(data=request.query_params)
        if serializer.is_valid():
            data = serializer.validated_data
        else:
            errors.update(serializer.errors)
    if errors:
        raise ValidationError(errors)
    return form, data


class StatsApi(APIView):
    """What every stats operation shares: who may call it, and how often."""

    permission_classes = [IsAuthenticated, HasDashboard]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "stats"
    # Documented with the one error body (portal.api.schema): the query parameters are validated.
    error_statuses = (400,)


class PeriodSerializer(serializers.Serializer):
    """A period's first and last day, both included."""

    # Named as in the URL; "from" is a Python keyword, so that field is added in get_fields.
    to = serializers.DateField()

    class Meta:
        ref_name = "StatsPeriod"

    def get_fields(self):
        return {"from": serializers.DateField(), **super().get_fields()}


def _money() -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, help_text=_("CNY, as a string with 2 decimals."))


class StatsSummaryApi(StatsApi):
    """Headline figures of the period against the period of the same length just before it, and the escalations
    open for your authority (all of them for moderators)."""

    class OutputSerializer(serializers.Serializer):
        class CountSerializer(serializers.Serializer):
            value = serializers.IntegerField()
            previous = serializers.IntegerField()
            change = serializers.FloatField(
                allow_null=True, help_text=_("Change in percent; null when the previous period had none.")
            )

            class Meta:
                ref_name = "StatsCount"

        class MoneySerializer(serializers.Serializer):
            value = _money()
            previous = _money()
            change = serializers.FloatField(
                allow_null=True, help_text=_("Change in percent; null when the previous period had none.")
            )

            class Meta:
                ref_name = "StatsMoney"

        class EscalationsSerializer(serializers.Serializer):
            open = serializers.IntegerField()
            overdue = serializers.IntegerField(help_text=_("Not acknowledged or not answered in time."))

            class Meta:
                ref_name = "StatsEscalations"

        period = PeriodSerializer()
        previous = PeriodSerializer()
        complaints = CountSerializer()
        loss = MoneySerializer()
        merchants = CountSerializer(help_text=_("Merchants complained about."))
        escalations = EscalationsSerializer()

        class Meta:
            ref_name = "StatsSummary"

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: OutputSerializer})
    def get(self, request):
        form, _data = _parsed(request, self)
        f = form.stats_filter()
        previous = f.previous()
        summary = {
            "period": {"from": f.start, "to": f.end},
            "previous": {"from": previous.start, "to": previous.end},
            **dashboard_summary(f, scope=self.scope),
        }
        return Response(self.OutputSerializer(summary).data)


class StatsTimeseriesApi(StatsApi):
    """Complaints and claimed loss per day, week or month of the period; periods without any are zeros."""

    class OutputSerializer(serializers.Serializer):
        class PointSerializer(serializers.Serializer):
            period = serializers.DateField(help_text=_("First day of the day, week (Monday) or month."))
            complaints = serializers.IntegerField()
            loss = _money()

            class Meta:
                ref_name = "StatsTimeseriesPoint"

        interval = serializers.ChoiceField(choices=INTERVALS)
        results = PointSerializer(many=True)

        class Meta:
            ref_name = "StatsTimeseries"

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: OutputSerializer})
    def get(self, request):
        form, _data = _parsed(request, self)
        interval = form.cleaned_data["interval"]
        series = {"interval": interval, "results": stats_timeseries(form.stats_filter(), interval=interval)}
        return Response(self.OutputSerializer(series).data)


class StatsBreakdownApi(StatsApi):
    """Complaints, claimed loss and merchants per category, platform or province, largest first."""

    class InputSerializer(serializers.Serializer):
        by = serializers.ChoiceField(choices=list(DIMENSIONS), help_text=_("What to count the complaints by."))

        class Meta:
            ref_name = "StatsBreakdownQuery"

    class OutputSerializer(serializers.Serializer):
        class RowSerializer(serializers.Serializer):
            key = serializers.CharField(help_text=_("The category, platform or province code; empty when not given."))
            label = serializers.CharField(help_text=_("Its name in the request's language."))
            complaints = serializers.IntegerField()
            loss = _money()

            class Meta:
                ref_name = "StatsBreakdownRow"

        by = serializers.ChoiceField(choices=list(DIMENSIONS))
        results = RowSerializer(many=True)

        class Meta:
            ref_name = "StatsBreakdown"

    @extend_schema(parameters=[*FILTER_PARAMETERS, InputSerializer], responses={200: OutputSerializer})
    def get(self, request):
        form, data = _parsed(request, self, self.InputSerializer)
        by = data["by"]
        breakdown = {"by": by, "results": labelled_breakdown(form.stats_filter(), by=by)}
        return Response(self.OutputSerializer(breakdown).data)


class StatsMerchantsApi(StatsApi):
    """Merchants whose complaints grew most against the previous period of the same length (riskier first on a
    tie), each with its complaints per period (`interval`) as a sparkline."""

    class InputSerializer(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=MAX_MERCHANTS, default=RISING_LIMIT, required=False)

        class Meta:
            ref_name = "StatsMerchantsQuery"

    class OutputSerializer(serializers.Serializer):
        class MerchantSerializer(serializers.Serializer):
            id = serializers.UUIDField(source="merchant.uuid")
            name = serializers.CharField(source="merchant.name")
            complaints = serializers.IntegerField()
            previous = serializers.IntegerField(help_text=_("Complaints in the previous period."))
            growth = serializers.IntegerField(help_text=_("Complaints minus those of the previous period."))
            loss = _money()
            risk_level = serializers.ChoiceField(choices=list(RISK_LEVELS))
            sparkline = serializers.ListField(
                child=serializers.IntegerField(), help_text=_("Complaints per day, week or month of the period.")
            )

            class Meta:
                ref_name = "StatsRisingMerchant"

        interval = serializers.ChoiceField(choices=INTERVALS, help_text=_("The sparklines' periods."))
        results = MerchantSerializer(many=True)

        class Meta:
            ref_name = "StatsMerchants"

    @extend_schema(parameters=[*FILTER_PARAMETERS, InputSerializer], responses={200: OutputSerializer})
    def get(self, request):
        form, data = _parsed(request, self, self.InputSerializer)
        interval = form.cleaned_data["interval"]
        rows = rising_merchants(form.stats_filter(), interval=interval, limit=data["limit"])
        return Response(self.OutputSerializer({"interval": interval, "results": rows}).data)
