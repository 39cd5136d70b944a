from django.urls import path

from trellis.attendance import views

urlpatterns = [
    path("", views.morning, name="attendance_morning"),
    path("schools/<int:pk>/", views.school, name="attendance_school"),
    path("settings/", views.attendance_settings, name="attendance_settings"),
]
