from django.urls import path

from sso import views

app_name = "sso"

urlpatterns = [
    path("accounts/sso/<slug:provider>/start/", views.start, name="start"),
    path("accounts/sso/<slug:provider>/callback/", views.callback, name="callback"),
    path("settings/sso/", views.policy, name="policy"),
    path("identities/<int:pk>/unlink/", views.unlink, name="unlink"),
]
