from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("settings/reminders/", views.schedule, name="schedule"),
    path("settings/days-off/<int:pk>/delete/", views.day_off_delete, name="day_off_delete"),
    path("leave/", views.my_leave, name="leave"),
    path("leave/<int:pk>/delete/", views.leave_delete, name="leave_delete"),
    path("leave/team/", views.team_leave, name="team_leave"),
    path("leave/<int:pk>/approve/", views.leave_approve, name="leave_approve"),
    path("leave/<int:pk>/decline/", views.leave_decline, name="leave_decline"),
]
