"""Routes of the coaching app, included by trellis.urls under /coaching/."""

from django.urls import path

from trellis.coaching import views

urlpatterns = [
    path("", views.session_list, name="coaching_sessions"),
    path("new/", views.session_new, name="coaching_session_new"),
    path("sessions/<int:pk>/", views.session_detail, name="coaching_session"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="coaching_session_edit"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="coaching_session_delete"),
    path("sessions/<int:pk>/comments/", views.session_comment, name="coaching_session_comment"),
    path("sessions/<int:pk>/share/", views.session_share, name="coaching_session_share"),
    path("next-steps/<int:pk>/done/", views.next_step_done, name="coaching_next_step_done"),
    path("people/<int:pk>/", views.coachee_history, name="coaching_coachee"),
    path("protocols/", views.protocol_list, name="coaching_protocols"),
    path("protocols/new/", views.protocol_new, name="coaching_protocol_new"),
    path("protocols/<int:pk>/edit/", views.protocol_edit, name="coaching_protocol_edit"),
    path("settings/", views.coaching_settings, name="coaching_settings"),
]

# Videos of practice (trellis/coaching/video_views.py).
from trellis.coaching import video_views  # noqa: E402

urlpatterns += [
    path("videos/", video_views.video_list, name="coaching_videos"),
    path("videos/new/", video_views.video_new, name="coaching_video_new"),
    path("videos/settings/", video_views.video_settings, name="coaching_video_settings"),
    path("videos/<int:pk>/", video_views.video_detail, name="coaching_video"),
    path("videos/<int:pk>/file/", video_views.video_file, name="coaching_video_file"),
    path("videos/<int:pk>/comments/", video_views.video_comment, name="coaching_video_comment"),
    path("videos/<int:pk>/delete/", video_views.video_delete, name="coaching_video_delete"),
]

# Classroom visits, instructional-leadership time and differentiated support (coach-visits).
from trellis.coaching import views_support  # noqa: E402

urlpatterns += [
    path("visits/", views_support.visit_list, name="coaching_visits"),
    path("visits/new/", views_support.visit_new, name="coaching_visit_new"),
    path("leadership-time/", views_support.leadership_time, name="coaching_leadership_time"),
    path("dosage/", views_support.dosage, name="coaching_dosage"),
    path("support/", views_support.support_setup, name="coaching_support"),
    path("support/schools/", views_support.support_schools, name="coaching_support_schools"),
    path("support/schools/<int:pk>/", views_support.support_school, name="coaching_support_school"),
]

# Need profiles' figures read from the data, and videos' captions (the coaching fixes of
# issue 10).
urlpatterns += [
    path("videos/<int:pk>/captions/", video_views.video_captions, name="coaching_video_captions"),
    path(
        "videos/<int:pk>/captions.vtt",
        video_views.video_captions_file,
        name="coaching_video_captions_file",
    ),
    path(
        "videos/<int:pk>/transcript/",
        video_views.video_transcript,
        name="coaching_video_transcript",
    ),
    path(
        "support/schools/refresh/", views_support.support_refresh, name="coaching_support_refresh"
    ),
]

# Progress monitoring (coach-visits).
from trellis.coaching import views_progress  # noqa: E402

urlpatterns += [
    path("progress/", views_progress.caseload_progress, name="coaching_progress"),
    path(
        "people/<int:pk>/progress/",
        views_progress.coachee_progress,
        name="coaching_coachee_progress",
    ),
]
