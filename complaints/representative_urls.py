from django.urls import path

from complaints import representative_views as views

app_name = "representation"

urlpatterns = [
    path("merchants/<uuid:merchant>/", views.merchant_complaints, name="complaints"),
    path("<uuid:uuid>/", views.complaint_detail, name="detail"),
    path("<uuid:uuid>/reply/", views.reply, name="reply"),
    path("<uuid:uuid>/propose/", views.propose, name="propose"),
    path("<uuid:uuid>/proposals/<uuid:proposal>/withdraw/", views.proposal_withdraw, name="proposal_withdraw"),
    path("<uuid:uuid>/review/", views.review_request, name="review_request"),
]
