from django.urls import path

from portal.cases import views

app_name = "cases"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/<uuid:uuid>/reply/", views.reply, name="reply"),
    path("<uuid:uuid>/", views.case_detail, name="detail"),
    path("<uuid:uuid>/contact/", views.case_contact, name="contact"),
    path("<uuid:uuid>/write/", views.case_write, name="write"),
]
