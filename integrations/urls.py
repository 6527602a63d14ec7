from django.urls import path

from integrations import views

app_name = "integrations"

urlpatterns = [
    path("integrations/robots/", views.robot_list, name="robot_list"),
    path("integrations/robots/new/", views.robot_create, name="robot_create"),
    path("integrations/robots/<int:pk>/", views.robot_edit, name="robot_edit"),
    path("integrations/robots/<int:pk>/test/", views.robot_test, name="robot_test"),
    path("integrations/robots/<int:pk>/delete/", views.robot_delete, name="robot_delete"),
    path("integrations/webhooks/", views.webhook_list, name="webhook_list"),
    path("integrations/webhooks/new/", views.webhook_create, name="webhook_create"),
    path("integrations/webhooks/<int:pk>/", views.webhook_edit, name="webhook_edit"),
    path("integrations/webhooks/<int:pk>/delete/", views.webhook_delete, name="webhook_delete"),
    path("integrations/deliveries/<int:pk>/redeliver/", views.redeliver, name="redeliver"),
]
