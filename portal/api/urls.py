from django.urls import path

from complaints.apis import (
    ComplaintAnswerApi,
    ComplaintConsentApi,
    ComplaintDetailApi,
    ComplaintEvidenceAddApi,
    ComplaintsApi,
    ComplaintWithdrawApi,
)
from complaints.moderation_apis import STEP_APIS, ModerationCaseApi, ModerationQueueApi
from portal.api.auth import TokenObtainApi
from portal.dashboards.apis import StatsBreakdownApi, StatsMerchantsApi, StatsSummaryApi, StatsTimeseriesApi
from portal.pages.apis import MerchantDetailApi, MerchantLookupApi

app_name = "api"

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="token"),
    path("complaints/", ComplaintsApi.as_view(), name="complaints"),
    path("complaints/<str:code>/", ComplaintDetailApi.as_view(), name="complaint-detail"),
    path("complaints/<str:code>/evidence/", ComplaintEvidenceAddApi.as_view(), name="complaint-evidence"),
    path("complaints/<str:code>/answer/", ComplaintAnswerApi.as_view(), name="complaint-answer"),
    path("complaints/<str:code>/withdraw/", ComplaintWithdrawApi.as_view(), name="complaint-withdraw"),
    path("complaints/<str:code>/consent/", ComplaintConsentApi.as_view(), name="complaint-consent"),
    path("moderation/complaints/", ModerationQueueApi.as_view(), name="moderation-complaints"),
    path("moderation/complaints/<str:code>/", ModerationCaseApi.as_view(), name="moderation-complaint"),
    *(
        path(f"moderation/complaints/<str:code>/{step}/", api.as_view(), name=f"moderation-complaint-{step}")
        for step, api in STEP_APIS.items()
    ),
    path("merchants/", MerchantLookupApi.as_view(), name="merchants"),
    path("merchants/<uuid:uuid>/", MerchantDetailApi.as_view(), name="merchant-detail"),
    path("stats/summary/", StatsSummaryApi.as_view(), name="stats-summary"),
    path("stats/timeseries/", StatsTimeseriesApi.as_view(), name="stats-timeseries"),
    path("stats/breakdown/", StatsBreakdownApi.as_view(), name="stats-breakdown"),
    path("stats/merchants/", StatsMerchantsApi.as_view(), name="stats-merchants"),
]
