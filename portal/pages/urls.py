from django.urls import path

from portal.pages import views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
]
