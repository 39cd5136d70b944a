"""Routes of the learning app, included by trellis.urls under /learning/."""

from django.urls import path

from trellis.learning import views

urlpatterns = [
    path("", views.session_list, name="learning_sessions"),
    path("new/", views.session_new, name="learning_session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="learning_session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="learning_session_edit"),
    path("sessions/<int:pk>/register/", views.session_register, name="learning_session_register"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="learning_session_cancel"),
    path(
        "sessions/<int:pk>/attendance/",
        views.session_attendance,
        name="learning_session_attendance",
    ),
    path("sessions/<int:pk>/code/", views.session_code_renew, name="learning_session_code"),
    path("check-in/", views.checkin, name="learning_checkin"),
    path("people/", views.people_options, name="learning_people"),
    path("certificates/<int:pk>/", views.certificate, name="learning_certificate"),
    path("communities/", views.community_list, name="learning_communities"),
    path("communities/new/", views.community_new, name="learning_community_new"),
    path("communities/<int:pk>/", views.community_detail, name="learning_community"),
    path("communities/<int:pk>/edit/", views.community_edit, name="learning_community_edit"),
    path("communities/<int:pk>/cycles/new/", views.cycle_new, name="learning_cycle_new"),
    path(
        "communities/<int:pk>/students/",
        views.reported_students_page,
        name="learning_reported_students",
    ),
    path(
        "communities/<int:pk>/students/remove/",
        views.reported_students_remove,
        name="learning_reported_students_remove",
    ),
    path("communities/<int:pk>/meetings/new/", views.meeting_new, name="learning_meeting_new"),
    path(
        "communities/<int:pk>/meetings/<int:meeting_pk>/",
        views.meeting_edit,
        name="learning_meeting_edit",
    ),
]
