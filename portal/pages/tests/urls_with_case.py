"""The site's URLs with a collective-case page for every merchant (the profile links to it)."""

from django.http import HttpResponse
from django.urls import include, path

from portal.urls import urlpatterns as site_urls


def case_detail(request, uuid):
    return HttpResponse()


# Listed first, this "cases" namespace is the one reverse() finds.
urlpatterns = [
    path("cases/", include(([path("<uuid:uuid>/", case_detail, name="detail")], "cases"))),
    *site_urls,
]
