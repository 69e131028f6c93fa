from django.urls import path

from portal.escalations import views

app_name = "authority"

urlpatterns = [
    path("", views.escalation_list, name="escalations"),
    path("escalations/<uuid:uuid>/", views.escalation_detail, name="escalation"),
    path("escalations/<uuid:uuid>/acknowledge/", views.escalation_acknowledge, name="acknowledge"),
    path("escalations/<uuid:uuid>/respond/", views.escalation_respond, name="respond"),
    path("escalations/<uuid:uuid>/dossier/", views.dossier_download, name="dossier"),
    path("escalations/<uuid:uuid>/complaints/<str:code>/", views.complaint_detail, name="complaint"),
]
