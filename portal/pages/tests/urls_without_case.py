"""The site's URLs without collective-case pages: the profile then links to none."""

from portal.urls import urlpatterns as site_urls

urlpatterns = [pattern for pattern in site_urls if getattr(pattern, "namespace", None) != "cases"]
