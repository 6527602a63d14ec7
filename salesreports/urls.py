from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api.api import urls as api_urls
from salesreports import views
from security import views as security_views
from sso.views import LogoutView

urlpatterns = [
    path("", include("home.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", security_views.password_reset, name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("", include("teams.urls")),
    path("", include("reports.urls")),
    path("", include("reviews.urls")),
    path("", include("notifications.urls")),
    path("", include("reminders.urls")),
    path("", include("summaries.urls")),
    path("", include("planning.urls")),
    path("", include("periodsummaries.urls")),
    path("", include("insights.urls")),
    path("", include("customers.urls")),
    path("", include("pipeline.urls")),
    path("", include("security.urls")),
    path("", include("sso.urls")),
    path("", include("integrations.urls")),
    path("", include("api.urls")),
    path("api/v1/", api_urls()),
    path("", include("search.urls")),
    path("audit/", include("teams.audit_urls")),
    path("django-admin/", admin.site.urls),
]
