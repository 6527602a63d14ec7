from django.urls import path

from api import views

app_name = "api"

urlpatterns = [
    path("account/api-tokens/", views.tokens, name="tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("settings/api-tokens/", views.all_tokens, name="all_tokens"),
]
