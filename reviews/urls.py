from django.urls import path

from reviews import comment_views, views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.queue, name="queue"),
    path("reviews/overview/", views.overview, name="overview"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path("reviews/<int:pk>/side/", views.side, name="side"),
    path("reviews/<int:pk>/next/", views.next_report, name="next"),
    path("reviews/<int:pk>/reviewed/", views.mark_reviewed, name="mark_reviewed"),
    path("reviews/<int:pk>/return/", views.return_report, name="return"),
    path("reports/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("reports/<int:pk>/comments/", comment_views.add, name="comment_add"),
    path("reports/<int:pk>/thread/", comment_views.thread, name="thread"),
    path("comments/<int:pk>/edit/", comment_views.edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", comment_views.delete, name="comment_delete"),
]
