from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# The admin asks for a TOTP code after the password and lets in only staff verified by a device (django-otp); its
# login page is where a staff member signed in on the site without a second factor is sent. Devices are enrolled
# with manage.py otp_enrol (README.md, "Admin").
admin.site.__class__ = OTPAdminSite

handler400 = "portal.pages.views.bad_request"
handler404 = "portal.pages.views.not_found"
handler500 = "portal.pages.views.server_error"

urlpatterns = [
    path("", include("portal.pages.urls")),
    path("accounts/", include("portal.accounts.urls")),
    path("complaints/", include("complaints.urls")),
    path("moderation/complaints/", include("complaints.moderation_urls")),
    path("moderation/", include("portal.moderation.urls")),
    path("authority/", include("portal.escalations.urls")),
    path("business/complaints/", include("complaints.representative_urls")),
    path("business/", include("portal.business.urls")),
    path("cases/", include("portal.cases.urls")),
    path("", include("portal.dashboards.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file, so the page needs no inline script (CSP);
    # Swagger UI does add inline styles, allowed on this page alone, which shows no user content.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
