from django.urls import path

from planning import views

app_name = "planning"
urlpatterns = [
    path("planning/", views.index, name="index"),
    path("planning/teams/<int:pk>/", views.team, name="team"),
    path("planning/teams/<int:pk>/start/", views.start, name="start"),
    path("planning/plans/<int:pk>/", views.plan, name="plan"),
    path("planning/plans/<int:pk>/save/", views.save, name="save"),
    path("planning/plans/<int:pk>/split/", views.split, name="split"),
    path("planning/plans/<int:pk>/propose/", views.propose, name="propose"),
    path("planning/plans/<int:pk>/approve/", views.approve, name="approve"),
    path("planning/plans/<int:pk>/return/", views.send_back, name="return"),
]
