"""The evidence origin's URLs (settings.EVIDENCE_URLCONF, for requests portal.evidence_host routes to it): signed
links to files and nothing else. None of them exists on the main site, whose URLconf has no route here."""

from django.urls import path

from complaints import views as complaint_views
from portal.business import views as business_views

handler500 = "portal.evidence_host.server_error"

urlpatterns = [
    path("evidence/<str:token>/", complaint_views.evidence_file_signed, name="evidence_file"),
    path("licences/<str:token>/", business_views.licence_file_signed, name="licence_file"),
]
