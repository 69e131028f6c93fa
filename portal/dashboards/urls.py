from django.urls import path

from portal.dashboards import export_views, views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/<slug:table>.<slug:fmt>", export_views.export, name="export"),
    path("statistics/", views.public_statistics, name="public_statistics"),
]
