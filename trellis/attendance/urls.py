from django.urls import path

from trellis.attendance import views

urlpatterns = [
    path("", views.morning, name="attendance_morning"),
    path("schools/<int:pk>/", views.school, name="attendance_school"),
    path("settings/", views.attendance_settings, name="attendance_settings"),
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
]

# A network's morning (issue 12).
from trellis.attendance import network_views  # noqa: E402

urlpatterns += [
    path("networks/<int:pk>/", network_views.network_morning, name="attendance_network"),
]
