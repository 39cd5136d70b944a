"""Routes of evaluation cycles, included by trellis.urls under /evaluations/."""

from django.urls import path

from trellis.evaluations import views

urlpatterns = [
    path("", views.evaluation_list, name="evaluations"),
    path("<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("<int:pk>/self-assessment/", views.self_assessment, name="evaluation_self"),
    path("<int:pk>/goals/", views.goals, name="evaluation_goals"),
    path("<int:pk>/mid-year/", views.midyear, name="evaluation_midyear"),
    path("<int:pk>/summative/", views.summative, name="evaluation_summative"),
    path("<int:pk>/sign-off/", views.sign_off, name="evaluation_sign_off"),
    path("<int:pk>/take-over/", views.take_over, name="evaluation_take_over"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="evaluation_acknowledge"),
    path(
        "<int:pk>/acknowledge-on-paper/",
        views.acknowledge_on_paper,
        name="evaluation_acknowledge_on_paper",
    ),
    path("cycles/", views.cycle_list, name="evaluation_cycles"),
    path("cycles/new/", views.cycle_new, name="evaluation_cycle_new"),
]
