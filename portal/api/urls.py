from django.urls import path

from complaints.apis import ComplaintDetailApi, ComplaintEvidenceAddApi, ComplaintsApi
from portal.api.auth import TokenObtainApi
from portal.pages.apis import MerchantDetailApi, MerchantLookupApi

app_name = "api"

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="token"),
    path("complaints/", ComplaintsApi.as_view(), name="complaints"),
    path("complaints/<str:code>/", ComplaintDetailApi.as_view(), name="complaint-detail"),
    path("complaints/<str:code>/evidence/", ComplaintEvidenceAddApi.as_view(), name="complaint-evidence"),
    path("merchants/", MerchantLookupApi.as_view(), name="merchants"),
    path("merchants/<uuid:uuid>/", MerchantDetailApi.as_view(), name="merchant-detail"),
]
