"""Reads for courses."""
from django.db.models import F

from .models import Course, UserCourse


def course_list_on_sale():
    return Course.objects.filter(is_on_sale=True)


def course_get(*, course_id):
    """A course that is on sale, or None."""
    return course_list_on_sale().filter(pk=course_id).first()


def course_ids_owned(*, user, course_ids) -> set:
    """Which of these course ids the user already owns (one query)."""
    return set(UserCourse.objects.filter(user=user, course_id__in=course_ids)
               .values_list("course_id", flat=True))


def course_list_owned(*, user):
    """The user's courses, newest purchase first, each with `purchased_at`."""
    return (Course.objects.filter(owners__user=user)
            .annotate(purchased_at=F("owners__created_time"))
            .order_by("-purchased_at"))
