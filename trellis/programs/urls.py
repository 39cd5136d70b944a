"""Routes of the programs app, included by trellis.urls under /programs/."""

from django.urls import path

from trellis.programs import views

urlpatterns = [
    path("", views.program_list, name="program_list"),
    path("new/", views.program_create, name="program_create"),
    path("<int:pk>/", views.program_detail, name="program_detail"),
    path("<int:pk>/edit/", views.program_edit, name="program_edit"),
    path("<int:pk>/team/", views.team_page, name="program_team"),
    path("<int:pk>/team/new/", views.team_add, name="program_team_add"),
    path("<int:pk>/team/<int:grant_pk>/end/", views.team_end, name="program_team_end"),
    path("<int:pk>/dashboard/", views.program_dashboard, name="program_dashboard"),
    path("<int:pk>/cohorts/new/", views.cohort_create, name="cohort_create"),
    path("<int:pk>/experiences/new/", views.experience_edit, name="experience_add"),
    path(
        "<int:pk>/experiences/<int:experience_pk>/edit/",
        views.experience_edit,
        name="experience_edit",
    ),
    path(
        "<int:pk>/experiences/<int:experience_pk>/delete/",
        views.experience_delete,
        name="experience_delete",
    ),
    path(
        "<int:pk>/project-template/new/",
        views.milestone_template_edit,
        name="milestone_template_add",
    ),
    path(
        "<int:pk>/project-template/<int:item_pk>/edit/",
        views.milestone_template_edit,
        name="milestone_template_edit",
    ),
    path(
        "<int:pk>/project-template/<int:item_pk>/delete/",
        views.milestone_template_delete,
        name="milestone_template_delete",
    ),
    path("cohorts/", views.cohort_list, name="cohort_list"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<int:pk>/dashboard/", views.cohort_dashboard, name="cohort_dashboard"),
    path("cohorts/<int:pk>/participants/new/", views.participant_add, name="participant_add"),
    path("cohorts/<int:pk>/supporters/new/", views.supporter_assign, name="supporter_assign"),
    path("participants/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("participants/<int:pk>/goals/", views.participant_goals, name="participant_goals"),
    path("participants/<int:pk>/status/", views.participant_status, name="participant_status"),
    path(
        "participants/<int:pk>/experiences/<int:experience_pk>/evidence/",
        views.evidence_submit,
        name="evidence_submit",
    ),
    path(
        "participants/<int:pk>/experiences/<int:experience_pk>/evidence/file/",
        views.evidence_file,
        name="evidence_file",
    ),
    path(
        "participants/<int:pk>/experiences/<int:experience_pk>/sign-off/",
        views.experience_sign_off,
        name="experience_sign_off",
    ),
    path("participants/<int:pk>/project/", views.project_edit, name="project_edit"),
    path(
        "participants/<int:pk>/project/milestones/new/",
        views.milestone_edit,
        name="milestone_add",
    ),
    path(
        "participants/<int:pk>/project/milestones/<int:milestone_pk>/",
        views.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "participants/<int:pk>/portfolio/links/",
        views.portfolio_link_create,
        name="portfolio_link_create",
    ),
    path(
        "participants/<int:pk>/portfolio/links/<int:link_pk>/revoke/",
        views.portfolio_link_revoke,
        name="portfolio_link_revoke",
    ),
    path("participants/<int:pk>/placements/new/", views.placement_create, name="placement_create"),
    path(
        "participants/<int:pk>/placements/<int:placement_pk>/edit/",
        views.placement_edit,
        name="placement_edit",
    ),
    path("portfolio/<str:token>/", views.portfolio_public, name="portfolio_public"),
]
