from django.urls import path

from portal.moderation import views

app_name = "moderation"

urlpatterns = [
    path("proposals/", views.proposal_list, name="proposals"),
    path("proposals/<uuid:uuid>/", views.proposal_detail, name="proposal"),
    path("proposals/<uuid:uuid>/accept/", views.proposal_accept, name="proposal_accept"),
    path("proposals/<uuid:uuid>/reject/", views.proposal_reject, name="proposal_reject"),
    path("merchants/<uuid:uuid>/", views.merchant_detail, name="merchant"),
    path("merchants/<uuid:uuid>/merge/", views.merchant_merge, name="merchant_merge"),
    path("merchants/<uuid:uuid>/merges/<uuid:merge>/undo/", views.merge_undo, name="merge_undo"),
    path("merchants/<uuid:uuid>/escalate/", views.merchant_escalate, name="merchant_escalate"),
    path("escalations/", views.escalation_list, name="escalations"),
]
