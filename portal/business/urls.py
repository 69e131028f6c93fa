from django.urls import path

from portal.business import views

app_name = "business"

urlpatterns = [
    path("", views.home, name="home"),
    path("claim/", views.claim, name="claim"),
    path("claims/<uuid:uuid>/revoke/", views.revoke, name="revoke"),
    path("licences/<uuid:uuid>/", views.licence_file, name="licence"),
]
