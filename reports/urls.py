from django.urls import path

from reports import read_views, settings_views, views

app_name = "reports"

urlpatterns = [
    # Writing (the author)
    path("reports/this-week/", views.this_week, name="this_week"),
    path("reports/<int:pk>/edit/", views.edit, name="edit"),
    path("reports/<int:pk>/autosave/", views.autosave, name="autosave"),
    path("reports/<int:pk>/submit/", views.submit, name="submit"),
    path("reports/<int:pk>/fill-from-log/", views.fill_from_log, name="fill_from_log"),
    path("reports/<int:pk>/conflicts/<int:conflict_pk>/", views.conflict, name="conflict"),
    path("reports/<int:pk>/conflicts/<int:conflict_pk>/keep/", views.conflict_keep_mine, name="conflict_keep_mine"),
    path("reports/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("attachments/<int:pk>/delete/", views.attachment_delete, name="attachment_delete"),
    # Reading
    path("reports/", read_views.my_reports, name="my"),
    path("reports/<int:pk>/", read_views.detail, name="detail"),
    path("reports/<int:pk>/history/", read_views.history, name="history"),
    # Settings (admins) and targets (managers)
    path("settings/kpis/", settings_views.kpi_list, name="kpi_list"),
    path("settings/kpis/new/", settings_views.kpi_create, name="kpi_create"),
    path("settings/kpis/<int:pk>/edit/", settings_views.kpi_edit, name="kpi_edit"),
    path("settings/problem-categories/", settings_views.problem_category_list, name="problem_category_list"),
    path("settings/problem-categories/new/", settings_views.problem_category_create, name="problem_category_create"),
    path(
        "settings/problem-categories/<int:pk>/edit/",
        settings_views.problem_category_edit,
        name="problem_category_edit",
    ),
    path("settings/templates/", settings_views.template_list, name="template_list"),
    path("settings/templates/new/", settings_views.template_create, name="template_create"),
    path("settings/templates/<int:pk>/edit/", settings_views.template_edit, name="template_edit"),
    path("teams/<int:pk>/settings/", settings_views.team_settings, name="team_settings"),
    path("teams/<int:pk>/targets/", settings_views.targets, name="targets"),
    path("teams/<int:pk>/targets/copy/", settings_views.targets_copy, name="targets_copy"),
]
