from django.urls import path

from trellis.attendance import views

urlpatterns = [
    path("", views.morning, name="attendance_morning"),
    path("schools/<int:pk>/", views.school, name="attendance_school"),
    path("settings/", views.attendance_settings, name="attendance_settings"),
]

# Chronic absence and family contact (issue 12, second slice).
from trellis.attendance import chronic_views  # noqa: E402

urlpatterns += [
    path("chronic/", chronic_views.chronic_overview, name="attendance_chronic"),
    path(
        "schools/<int:pk>/chronic/", chronic_views.chronic_school, name="attendance_chronic_school"
    ),
    path(
        "schools/<int:pk>/chronic/students/",
        chronic_views.chronic_students,
        name="attendance_chronic_students",
    ),
    path("schools/<int:pk>/worklist/", chronic_views.worklist, name="attendance_worklist"),
    path(
        "schools/<int:pk>/students/<int:student_pk>/contact/",
        chronic_views.contact_log,
        name="attendance_contact_log",
    ),
    path("schools/<int:pk>/contacts/", chronic_views.contact_history, name="attendance_contacts"),
    path("contacts/", chronic_views.contact_rates, name="attendance_contact_rates"),
]

# Alerts (issue 12).
from trellis.attendance import alert_views  # noqa: E402

urlpatterns += [
    path("alerts/", alert_views.alert_list, name="attendance_alerts"),
    path(
        "alerts/<int:pk>/acknowledge/",
        alert_views.alert_acknowledge,
        name="attendance_alert_acknowledge",
    ),
]

# The instructional calendar on screen (issue 12).
from trellis.attendance import calendar_views  # noqa: E402

urlpatterns += [
    path("schools/<int:pk>/calendar/", calendar_views.school_calendar, name="attendance_calendar"),
    path(
        "schools/<int:pk>/calendar/remove/",
        calendar_views.calendar_remove,
        name="attendance_calendar_remove",
    ),
]

# A network's morning (issue 12).
from trellis.attendance import network_views  # noqa: E402

urlpatterns += [
    path("networks/<int:pk>/", network_views.network_morning, name="attendance_network"),
]
