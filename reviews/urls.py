from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.queue, name="queue"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("reviews/<int:pk>/reviewed/", views.mark_reviewed, name="mark_reviewed"),
    path("reviews/<int:pk>/return/", views.return_report, name="return"),
]
