"""URLs under /api/course/."""
from django.urls import path

from . import apis

urlpatterns = [
    path("", apis.CourseListApi.as_view(), name="course-list"),
    path("<int:course_id>/", apis.CourseDetailApi.as_view(), name="course-detail"),
]
