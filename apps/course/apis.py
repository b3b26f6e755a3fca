"""Course API: the list and one course, public."""
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.views import APIView

from utils.exceptions import LuffyError
from utils.response import APIResponse
from utils.schema import envelope

from . import selectors
from .serializers import CourseDetailSerializer


def _owned_ids(request, courses) -> set:
    if not request.user.is_authenticated:
        return set()
    return selectors.course_ids_owned(user=request.user, course_ids=[c.pk for c in courses])


class CourseListApi(ListAPIView):
    """Courses on sale, paginated; `purchased` says which ones the caller owns."""

    serializer_class = CourseDetailSerializer

    def get_queryset(self):
        return selectors.course_list_on_sale()

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        data = self.get_serializer(page, many=True,
                                   context={"owned_ids": _owned_ids(request, page)}).data
        return self.get_paginated_response(data)


class CourseDetailApi(APIView):
    """One course on sale; `purchased` says whether the caller owns it."""

    @extend_schema(responses=envelope("CourseAnswer", course=CourseDetailSerializer()))
    def get(self, request, course_id):
        course = selectors.course_get(course_id=course_id)
        if course is None:
            raise LuffyError("课程不存在", status_code=404, code="not_found")
        context = {"owned_ids": _owned_ids(request, [course])}
        return APIResponse(course=CourseDetailSerializer(course, context=context).data)
