from django.urls import path

from teams import imports_views, views

app_name = "teams"

urlpatterns = [
    path("teams/", views.team_list, name="team_list"),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("teams/<int:pk>/edit/", views.team_edit, name="team_edit"),
    path("members/", views.member_list, name="member_list"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/import/", imports_views.member_import, name="member_import"),
    path("members/import/sample.csv", imports_views.member_import_sample, name="member_import_sample"),
    path("members/import/<int:pk>/", imports_views.member_import_preview, name="member_import_preview"),
    path("members/import/<int:pk>/apply/", imports_views.member_import_apply, name="member_import_apply"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/move/", views.member_move, name="member_move"),
    path("members/<int:pk>/status/", views.member_status, name="member_status"),
    path("members/<int:pk>/invite/", views.member_invite, name="member_invite"),
    path("account/preferences/", views.preferences, name="preferences"),
    path("language/", views.set_language, name="set_language"),
]
