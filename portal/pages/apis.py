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

from complaints.models import Category
from complaints.selectors import WINDOWS, merchant_stats_many, merchant_summary
from merchants.lookup import MAX_QUERY_LENGTH, MIN_QUERY_LENGTH, merchant_lookup
from merchants.models import Identifier, Merchant
from merchants.regions import Region
from merchants.selectors import merchant_get
from portal.api.errors import ERROR_DESCRIPTIONS, ErrorSerializer
from portal.pages.merchant_views import public_complaints, public_identifiers


class MerchantLookupApi(APIView):
    """Check a merchant before you pay: up to 10 merchants the text may name, exact identifier matches first.

    `q` is anything you have: a shop or mini-program name (Chinese or pinyin), an app ID, a phone number, a
    WeChat ID, a payee account, a shop URL or a company registration number.
    """

    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
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
        matched_by = serializers.ChoiceField(
            choices=Identifier.Kind.choices, help_text=_("The identifier kind that matched exactly, or `name`.")
        )
        score = serializers.FloatField(help_text=_("100 for an exact identifier; a name's similarity otherwise."))

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
        hits = merchant_lookup(q=serializer.validated_data["q"])
        stats = merchant_stats_many(merchant_ids=[hit.merchant.pk for hit in hits])
        rows = [
            {
                "merchant": hit.merchant,
                "complaints": stats[hit.merchant.pk].complaints if hit.merchant.pk in stats else 0,
                "matched_by": hit.matched_by,
                "score": hit.score,
            }
            for hit in hits
        ]
        return Response(self.OutputSerializer(rows, many=True).data)


class MerchantDetailApi(APIView):
    """A merchant's public profile: complaint counts, what happened, its identifiers (personal ones masked) and its
    newest published complaints (redacted).

    A merchant merged into another answers 302 with `Location` set to the other's profile.
    """

    permission_classes = [AllowAny]

    class OutputSerializer(serializers.Serializer):
        class PlatformSerializer(serializers.Serializer):
            code = serializers.CharField()
            name = serializers.CharField()

            class Meta:
                ref_name = "MerchantPlatform"

        class CategorySerializer(serializers.Serializer):
            code = serializers.CharField()
            label = serializers.CharField()
            count = serializers.IntegerField()

            class Meta:
                ref_name = "MerchantCategoryCount"

        class IdentifierSerializer(serializers.Serializer):
            kind = serializers.ChoiceField(choices=Identifier.Kind.choices)
            label = serializers.CharField()
            value = serializers.CharField(help_text=_("Phones, accounts and other personal identifiers are masked."))

            class Meta:
                ref_name = "MerchantPublicIdentifier"

        class PublicComplaintSerializer(serializers.Serializer):
            id = serializers.UUIDField(source="complaint.uuid")
            category = serializers.ChoiceField(source="complaint.category", choices=Category.choices)
            category_display = serializers.CharField(source="complaint.category_display")
            month = serializers.CharField(source="complaint.month", help_text=_("The month it was filed (YYYY-MM)."))
            excerpt = serializers.CharField(
                help_text=_("The start of the complainant's account as published, personal details hidden.")
            )
            url = serializers.URLField(help_text=_("The complaint's public page."))

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
        categories = CategorySerializer(many=True)
        windows = serializers.DictField(
            child=serializers.IntegerField(),
            help_text=_("Complaints filed in the last 24 hours, 7 days and 30 days (keys 24h, 7d, 30d)."),
        )
        first_complaint_at = serializers.DateTimeField(source="summary.first_at", allow_null=True)
        last_complaint_at = serializers.DateTimeField(source="summary.last_at", allow_null=True)
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
        summary = merchant_summary(merchant_id=merchant.pk)
        profile = {
            "merchant": merchant,
            "summary": summary,
            "categories": [{"code": code, "label": label, "count": n} for code, label, n in summary.by_category],
            "windows": {name: summary.windows.get(name, 0) for name in WINDOWS},
            "identifiers": public_identifiers(merchant),
            "public_complaints": [
                {
                    **row,
                    "url": request.build_absolute_uri(
                        reverse("complaints:public_detail", kwargs={"uuid": row["complaint"].uuid})
                    ),
                }
                for row in public_complaints(merchant)
            ],
        }
        return Response(self.OutputSerializer(profile).data)
