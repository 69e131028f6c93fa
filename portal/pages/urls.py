from django.urls import path

from portal.pages import merchant_views, views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("merchants/", merchant_views.merchant_search, name="merchant_search"),
    path("merchants/<uuid:uuid>/", merchant_views.merchant_detail, name="merchant_detail"),
]
