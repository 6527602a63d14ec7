from django.urls import path

from periodsummaries import views

app_name = "periodsummaries"

urlpatterns = [
    path("period-summaries/", views.my_summaries, name="my"),
    path("period-summaries/start/", views.start, name="start"),
    path("period-summaries/<int:pk>/", views.detail, name="detail"),
    path("period-summaries/<int:pk>/edit/", views.edit, name="edit"),
    path("period-summaries/<int:pk>/autosave/", views.autosave, name="autosave"),
    path("period-summaries/<int:pk>/submit/", views.submit, name="submit"),
    path("period-summaries/<int:pk>/refresh-figures/", views.refresh_figures, name="refresh_figures"),
    path("period-summaries/<int:pk>/conflicts/<int:conflict_pk>/", views.conflict, name="conflict"),
    path(
        "period-summaries/<int:pk>/conflicts/<int:conflict_pk>/keep/",
        views.conflict_keep_mine,
        name="conflict_keep_mine",
    ),
    path("period-summaries/<int:pk>/pdf/", views.pdf, name="pdf"),
    path("period-summaries/<int:pk>/practice/", views.practice_add, name="practice_add"),
    path("period-summaries/review/", views.queue, name="queue"),
    path("period-summaries/<int:pk>/review/", views.review, name="review"),
    path("period-summaries/<int:pk>/review/feedback/", views.mark_reviewed, name="mark_reviewed"),
    path("period-summaries/<int:pk>/review/return/", views.return_summary, name="return"),
    path("teams/<int:pk>/practices/", views.practices, name="practices"),
    path("teams/<int:pk>/summary-rules/", views.rules, name="rules"),
]
