from django.urls import path

from teams import audit_views as views

app_name = "audit"

urlpatterns = [
    path("", views.entry_list, name="list"),
]
