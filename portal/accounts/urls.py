from django.contrib.auth import views as auth_views
from django.urls import path

from portal.accounts import privacy_views, views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("verify/", views.verify_sent, name="verify_sent"),
    path("verify/resend/", views.verify_resend, name="verify_resend"),
    path("verify/<uidb64>/<token>/", views.verify, name="verify"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password/reset/complete/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("privacy/", privacy_views.privacy_overview, name="privacy"),
    path("privacy/complaints/<uuid:uuid>/erase/", privacy_views.complaint_erase, name="complaint_erase"),
    path("delete/", privacy_views.account_delete, name="delete"),
]
