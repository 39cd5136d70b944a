"""Routes of the surveys app: instruments and administrations under /surveys/, the impact
report under /impact/ (both included by trellis.urls)."""

from django.urls import path

from trellis.surveys import views

urlpatterns = [
    path("", views.instrument_list, name="instrument_list"),
    path("instruments/<int:pk>/", views.instrument_detail, name="instrument_detail"),
    path("instruments/<int:pk>/give/", views.administration_new, name="administration_new"),
    path("administrations/", views.administration_list, name="administration_list"),
    path("administrations/<int:pk>/", views.administration_detail, name="administration_detail"),
    path(
        "administrations/<int:pk>/window/",
        views.administration_window,
        name="administration_window",
    ),
    path("administrations/<int:pk>/respond/", views.respond, name="survey_respond"),
    path("sessions/<int:pk>/new/", views.session_survey_new, name="session_survey_new"),
    path(
        "sessions/surveys/<int:pk>/window/",
        views.session_survey_window,
        name="session_survey_window",
    ),
    path("teams/<int:pk>/conditions/", views.consensus_page, name="conditions_consensus"),
    path(
        "teams/<int:pk>/conditions/remove/",
        views.consensus_remove_page,
        name="conditions_consensus_remove",
    ),
    path("alumni/", views.alumni_answers, name="alumni_answers"),
]

impact_urlpatterns = [
    path("", views.impact_page, name="impact_report"),
    path("schools/", views.impact_drill_page, name="impact_schools"),
    path("people/", views.impact_people_page, name="impact_people"),
]
