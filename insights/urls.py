from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("dashboard/", views.home, name="home"),
    path("teams/<int:pk>/dashboard/", views.team_dashboard, name="dashboard"),
    path("teams/<int:pk>/compare/", views.compare, name="compare"),
    path("teams/<int:pk>/export/", views.export, name="export"),
    path("members/<int:pk>/history/", views.member, name="member"),
]
