from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("settings/reminders/", views.schedule, name="schedule"),
    path("settings/days-off/<int:pk>/delete/", views.day_off_delete, name="day_off_delete"),
    path("leave/", views.my_leave, name="leave"),
    path("leave/<int:pk>/delete/", views.leave_delete, name="leave_delete"),
]
