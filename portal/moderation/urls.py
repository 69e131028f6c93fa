from django.urls import path

from portal.moderation import claim_views, review_views, views

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
    path("representatives/", claim_views.representative_list, name="representatives"),
    path("representatives/<uuid:uuid>/", claim_views.representative_detail, name="representative"),
    path("representatives/<uuid:uuid>/approve/", claim_views.representative_approve, name="representative_approve"),
    path("representatives/<uuid:uuid>/reject/", claim_views.representative_reject, name="representative_reject"),
    path("representatives/<uuid:uuid>/revoke/", claim_views.representative_revoke, name="representative_revoke"),
    path("review-requests/", review_views.review_request_list, name="review_requests"),
    path("review-requests/<uuid:uuid>/", review_views.review_request_detail, name="review_request"),
    path("review-requests/<uuid:uuid>/decide/", review_views.review_request_decide_view, name="review_request_decide"),
]
