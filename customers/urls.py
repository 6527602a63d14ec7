from django.urls import path

from customers import views

app_name = "customers"

urlpatterns = [
    path("log/", views.log, name="log"),
    path("log/activities/", views.activity_create, name="activity_create"),
    path("log/activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("log/activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("log/list/", views.activity_list, name="activity_list"),
    path("log/import/", views.import_upload, name="import"),
    path("log/import/sample/<slug:kind>.csv", views.import_sample, name="import_sample"),
    path("log/import/<int:pk>/", views.import_preview, name="import_preview"),
    path("log/import/<int:pk>/apply/", views.import_apply, name="import_apply"),
    path("members/<int:pk>/log/", views.member_log, name="member_log"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
]
