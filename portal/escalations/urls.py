from django.urls import path

from portal.escalations import alert_views, views

app_name = "authority"

urlpatterns = [
    path("", views.escalation_list, name="escalations"),
    path("escalations/<uuid:uuid>/", views.escalation_detail, name="escalation"),
    path("escalations/<uuid:uuid>/acknowledge/", views.escalation_acknowledge, name="acknowledge"),
    path("escalations/<uuid:uuid>/respond/", views.escalation_respond, name="respond"),
    path("escalations/<uuid:uuid>/dossier/", views.dossier_download, name="dossier"),
    path("escalations/<uuid:uuid>/complaints/<str:code>/", views.complaint_detail, name="complaint"),
    # Public risk alerts, which moderators write and approve.
    path("alerts/", alert_views.alert_list, name="alerts"),
    path("alerts/merchants/<uuid:uuid>/new/", alert_views.alert_create, name="alert_create"),
    path("alerts/<uuid:uuid>/approve/", alert_views.alert_approve, name="alert_approve"),
    path("alerts/<uuid:uuid>/withdraw/", alert_views.alert_withdraw, name="alert_withdraw"),
]
