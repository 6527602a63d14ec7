from django.urls import path

from security import views

app_name = "security"

urlpatterns = [
    path("account/two-factor/", views.overview, name="two_factor"),
    path("account/two-factor/setup/", views.setup, name="setup"),
    path("account/two-factor/verify/", views.verify, name="verify"),
    path("account/two-factor/backup-codes/", views.backup_codes, name="backup_codes"),
    path("account/two-factor/off/", views.turn_off, name="turn_off"),
    path("settings/two-factor/", views.policy, name="policy"),
    path("members/<int:pk>/two-factor/reset/", views.member_reset, name="member_reset"),
]
