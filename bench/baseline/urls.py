from django.urls import path

from bench.baseline.views import BareComplaintCreate

urlpatterns = [path("complaints/", BareComplaintCreate.as_view())]
