from django.urls import path

from summaries import views

app_name = "summaries"

urlpatterns = [
    path("reports/<int:pk>/pdf/", views.report_pdf, name="report_pdf"),
    path("teams/<int:pk>/week/", views.team_week, name="team_week"),
    path("teams/<int:pk>/summary/week/", views.team_week_pdf, name="team_week_pdf"),
    path("teams/<int:pk>/summary/", views.team_period, name="team_period"),
    path("teams/<int:pk>/summary/pdf/", views.team_period_pdf, name="team_period_pdf"),
    path("members/<int:pk>/summary/", views.member_period, name="member_period"),
    path("members/<int:pk>/summary/pdf/", views.member_period_pdf, name="member_period_pdf"),
    path("documents/", views.documents, name="documents"),
    path("documents/<int:pk>/", views.job, name="job"),
    path("documents/<int:pk>/retry/", views.retry, name="retry"),
    path("documents/<int:pk>/download/", views.download, name="download"),
]
