from django.urls import path

from complaints import import_views, views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_mine, name="mine"),
    path("new/", views.draft_new, name="new"),
    path("drafts/<uuid:draft>/abandon/", views.draft_abandon, name="draft_abandon"),
    path("drafts/<uuid:draft>/evidence-panel/", views.draft_evidence_panel, name="draft_evidence_panel"),
    path(
        "drafts/<uuid:draft>/evidence/<uuid:evidence>/remove/",
        views.draft_evidence_remove,
        name="draft_evidence_remove",
    ),
    path("drafts/<uuid:draft>/<slug:step>/", views.draft_step, name="draft_step"),
    path("evidence/<uuid:uuid>/<str:variant>/", views.evidence_file, name="evidence_file"),
    path("notices/", views.notice_list, name="notices"),
    path("public/<uuid:uuid>/", views.complaint_public, name="public_detail"),
    path("imports/", import_views.import_list, name="imports"),
    path("imports/<uuid:uuid>/", import_views.import_detail, name="import_detail"),
    path("imports/<uuid:uuid>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<uuid:uuid>/rejected.csv", import_views.import_rejected_csv, name="import_rejected_csv"),
    path("<uuid:uuid>/", views.complaint_detail, name="detail"),
    path("<uuid:uuid>/evidence-panel/", views.evidence_panel, name="evidence_panel"),
    path("<uuid:uuid>/evidence/", views.evidence_add, name="evidence_add"),
    path("<uuid:uuid>/answer/", views.complaint_answer, name="answer"),
    path("<uuid:uuid>/withdraw/", views.complaint_withdraw, name="withdraw"),
    path("<uuid:uuid>/consent/", views.complaint_consent, name="consent"),
    path("<uuid:uuid>/proposals/<uuid:proposal>/accept/", views.proposal_accept, name="proposal_accept"),
    path("<uuid:uuid>/proposals/<uuid:proposal>/reject/", views.proposal_reject, name="proposal_reject"),
]
