"""REST API v1 for merchants (DESIGN.md section 7): look one up by anything you have, read its public profile."""

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from complaints.models import Category, Complaint, ResolutionProposal
from complaints.selectors import WINDOWS
from merchants.lookup import MAX_QUERY_LENGTH, MIN_QUERY_LENGTH
from merchants.models import Identifier, Merchant
from merchants.regions import Region
from merchants.selectors import merchant_get
from portal.api.errors import ERROR_DESCRIPTIONS, ErrorSerializer
from portal.escalations.models import RiskAlert
from portal.pages.merchant_views import lookup_rate
from portal.pages.profiles import check_results, merchant_profile

RESPONSE_RATE_HELP = _(
    "The share (0 to 1) of the merchant's accepted complaints due for a reply that it replied to; null when none "
    "was due yet. Complaints still inside their reply period and not answered are not counted."
)
TIMELY_HELP = _("The share (0 to 1) of the same complaints answered within the merchant's reply period (15 days).")
MONTHLY_HELP = _("Complaints filed in each of the last 12 months, oldest first.")


class LookupRateThrottle(ScopedRateThrottle):
    """The lookup's rate, read at each request from the setting the check page reads too: one limit for both, and
    a changed setting is heard at once (DRF's own throttle reads the rates once, when it is imported)."""

    def get_rate(self):
        return lookup_rate()


class CategoryCountSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("A complaint category code."))
    label = serializers.CharField()
    count = serializers.IntegerField()

    class Meta:
        ref_name = "MerchantCategoryCount"


class RiskAlertSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=RiskAlert.Level.choices)
    level_display = serializers.CharField(source="get_level_display")
    text = serializers.CharField(help_text=_("The moderators' warning, as published."))
    approved_at = serializers.DateTimeField()

    class Meta:
        ref_name = "MerchantRiskAlert"


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(help_text=_("The merchant's reply as published, personal details hidden."))
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "MerchantPublicReply"


class OutcomeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ResolutionProposal.Kind.choices)
    kind_display = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    message = serializers.CharField()
    decided_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "MerchantAcceptedProposal"


class MerchantLookupApi(APIView):
    """Check a merchant before you pay: up to 10 merchants the text may name, exact identifier matches first.

    `q` is anything you have: a shop or mini-program name (Chinese, pinyin or English), an app ID, a phone number,
    a WeChat ID, a payee account, a shop URL or a company registration number. A match on a phone or an account
    says which kind of identifier matched (`matched_by`), never its value.
    """

    permission_classes = [AllowAny]
    throttle_classes = [LookupRateThrottle]
    throttle_scope = "lookup"

    class InputSerializer(serializers.Serializer):
        q = serializers.CharField(min_length=MIN_QUERY_LENGTH, max_length=MAX_QUERY_LENGTH)

        class Meta:
            ref_name = "MerchantLookupQuery"

    class OutputSerializer(serializers.Serializer):
        id = serializers.UUIDField(source="merchant.uuid")
        name = serializers.CharField(source="merchant.name")
        platform = serializers.CharField(source="merchant.platform.code", allow_null=True)
        kind = serializers.ChoiceField(source="merchant.kind", choices=Merchant.Kind.choices)
        complaints = serializers.IntegerField()
        top_categories = CategoryCountSerializer(many=True, help_text=_("What complaints say most, up to three."))
        response_rate = serializers.FloatField(
            source="record.response_rate", allow_null=True, help_text=RESPONSE_RATE_HELP
        )
        risk_alert = RiskAlertSerializer(source="alert", allow_null=True, help_text=_("Null unless moderators warn."))
        matched_by = serializers.ChoiceField(
            source="hit.matched_by",
            choices=Identifier.Kind.choices,
            help_text=_("The identifier kind that matched exactly, or `name`."),
        )
        score = serializers.FloatField(
            source="hit.score", help_text=_("100 for an exact identifier; a name's similarity otherwise.")
        )

        class Meta:
            ref_name = "MerchantLookupResult"

    @extend_schema(
        parameters=[InputSerializer],
        responses={
            200: OutputSerializer(many=True),
            # The schema class documents 400 for writes only; this read validates its query too.
            400: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[400]),
        },
    )
    def get(self, request):
        serializer = self.InputSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        results = check_results(q=serializer.validated_data["q"])
        return Response(self.OutputSerializer(results, many=True).data)


class MerchantDetailApi(APIView):
    """A merchant's public profile: complaint counts, what happened month by month, how the merchant answers
    complaints, the moderators' warning if any, its identifiers (personal ones masked) and its newest published
    complaints (redacted) with its replies.

    A merchant merged into another answers 302 with `Location` set to the other's profile.
    """

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        class PlatformSerializer(serializers.Serializer):
            code = serializers.CharField()
            name = serializers.CharField()

            class Meta:
                ref_name = "MerchantPlatform"

        class IdentifierSerializer(serializers.Serializer):
            kind = serializers.ChoiceField(choices=Identifier.Kind.choices)
            label = serializers.CharField()
            value = serializers.CharField(help_text=_("Phones, accounts and other personal identifiers are masked."))

            class Meta:
                ref_name = "MerchantPublicIdentifier"

        class MonthSerializer(serializers.Serializer):
            month = serializers.CharField(help_text=_("YYYY-MM"))
            complaints = serializers.IntegerField()
            categories = serializers.DictField(
                child=serializers.IntegerField(), help_text=_("Complaints by category code (those above zero).")
            )

            class Meta:
                ref_name = "MerchantMonth"

        class PublicComplaintSerializer(serializers.Serializer):
            id = serializers.UUIDField(source="complaint.uuid")
            category = serializers.ChoiceField(source="complaint.category", choices=Category.choices)
            category_display = serializers.CharField(source="complaint.category_display")
            status = serializers.ChoiceField(source="complaint.status", choices=Complaint.Status.choices)
            month = serializers.CharField(source="complaint.month", help_text=_("The month it was filed (YYYY-MM)."))
            excerpt = serializers.CharField(
                help_text=_("The start of the complainant's account as published, personal details hidden.")
            )
            url = serializers.URLField(help_text=_("The complaint's public page."))
            replies = ReplySerializer(many=True, source="response.replies")
            outcome = OutcomeSerializer(
                source="response.outcome",
                allow_null=True,
                help_text=_("The proposal the complainant accepted, when that closed the complaint."),
            )

            class Meta:
                ref_name = "MerchantPublicComplaint"

        id = serializers.UUIDField(source="merchant.uuid")
        name = serializers.CharField(source="merchant.name")
        kind = serializers.ChoiceField(source="merchant.kind", choices=Merchant.Kind.choices)
        kind_display = serializers.CharField(source="merchant.get_kind_display")
        platform = PlatformSerializer(source="merchant.platform", allow_null=True)
        company_name = serializers.CharField(source="merchant.company_name")
        registered_region = serializers.ChoiceField(
            source="merchant.registered_region", choices=Region.choices, allow_blank=True
        )
        complaints = serializers.IntegerField(source="summary.complaints")
        complainants = serializers.IntegerField(source="summary.complainants")
        loss = serializers.DecimalField(source="summary.loss", max_digits=16, decimal_places=2)
        categories = CategoryCountSerializer(many=True)
        windows = serializers.DictField(
            child=serializers.IntegerField(),
            help_text=_("Complaints filed in the last 24 hours, 7 days and 30 days (keys 24h, 7d, 30d)."),
        )
        monthly = MonthSerializer(
            many=True, help_text=_("Complaints filed in each of the last 12 months, oldest first.")
        )
        first_complaint_at = serializers.DateTimeField(source="summary.first_at", allow_null=True)
        last_complaint_at = serializers.DateTimeField(source="summary.last_at", allow_null=True)
        response_rate = serializers.FloatField(
            source="record.response_rate", allow_null=True, help_text=RESPONSE_RATE_HELP
        )
        timely_share = serializers.FloatField(source="record.timely_share", allow_null=True, help_text=TIMELY_HELP)
        overdue_replies = serializers.IntegerField(
            source="record.overdue", help_text=_("Accepted complaints past their reply date with no reply yet.")
        )
        risk_alert = RiskAlertSerializer(source="alert", allow_null=True, help_text=_("Null unless moderators warn."))
        identifiers = IdentifierSerializer(many=True)
        public_complaints = PublicComplaintSerializer(
            many=True, help_text=_("The newest complaints published with their complainants' consent.")
        )

        class Meta:
            ref_name = "MerchantProfile"

    @extend_schema(
        parameters=[OpenApiParameter("uuid", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={
            200: OutputSerializer,
            302: OpenApiResponse(description=_("Merged into another merchant: `Location` gives its profile.")),
        },
    )
    def get(self, request, uuid):
        merchant = merchant_get(uuid=uuid)
        if not merchant.is_active:
            # Merges can be undone: a temporary redirect, so clients keep asking for the old id.
            return HttpResponseRedirect(reverse("api:merchant-detail", kwargs={"uuid": merchant.merged_into.uuid}))
        profile = merchant_profile(merchant)
        codes = [code for code, _label in profile.monthly.categories]
        body = {
            "merchant": merchant,
            "summary": profile.summary,
            "record": profile.record,
            "alert": profile.alert,
            "categories": [{"code": c, "label": label, "count": n} for c, label, n in profile.summary.by_category],
            "windows": {name: profile.summary.windows.get(name, 0) for name in WINDOWS},
            "monthly": [
                {
                    "month": row.key,
                    "complaints": row.complaints,
                    "categories": {code: n for code, n in zip(codes, row.counts, strict=True) if n},
                }
                for row in profile.monthly.rows
            ],
            "identifiers": profile.identifiers,
            "public_complaints": [
                {
                    "complaint": row.complaint,
                    "excerpt": row.excerpt,
                    "response": row.response,
                    "url": request.build_absolute_uri(
                        reverse("complaints:public_detail", kwargs={"uuid": row.complaint.uuid})
                    ),
                }
                for row in profile.published
            ],
        }
        return Response(self.OutputSerializer(body).data)
