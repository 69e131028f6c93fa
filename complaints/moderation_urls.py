from django.urls import path

from complaints import moderation_views as views

app_name = "complaint_moderation"

urlpatterns = [
    path("", views.complaint_queue, name="queue"),
    path("bulk/", views.complaint_bulk, name="bulk"),
    path("<str:code>/", views.complaint_detail, name="detail"),
    path("<str:code>/<slug:action>/", views.complaint_act, name="act"),
]
