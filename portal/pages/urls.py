from django.urls import path

from portal.pages import merchant_views, views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("check/", merchant_views.check, name="check"),
    path("merchants/", merchant_views.merchant_search_moved, name="merchant_search_moved"),
    path("merchants/<uuid:uuid>/", merchant_views.merchant_detail, name="merchant_detail"),
]
