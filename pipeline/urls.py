from django.urls import path

from pipeline import views

app_name = "pipeline"

urlpatterns = [
    path("pipeline/", views.index, name="index"),
    path("pipeline/opportunities/new/", views.opportunity_create, name="opportunity_create"),
    path("pipeline/opportunities/<int:pk>/", views.opportunity_detail, name="opportunity_detail"),
    path("pipeline/opportunities/<int:pk>/edit/", views.opportunity_edit, name="opportunity_edit"),
    path("pipeline/import/", views.import_upload, name="import"),
    path("pipeline/import/sample.csv", views.import_sample, name="import_sample"),
    path("pipeline/import/<int:pk>/", views.import_preview, name="import_preview"),
    path("pipeline/import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("members/<int:pk>/pipeline/", views.member, name="member"),
    path("teams/<int:pk>/pipeline/", views.team, name="team"),
    path("teams/<int:pk>/pipeline/forecast/", views.forecast_set, name="forecast_set"),
    path("teams/<int:pk>/pipeline/export.<slug:file_format>", views.export, name="export"),
]
