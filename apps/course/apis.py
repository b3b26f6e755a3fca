"""Course API: the list and one course, public."""
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.views import APIView

from utils.exceptions import LuffyError
from utils.response import APIResponse

from . import selectors
from .serializers import CourseDetailSerializer, CourseSerializer


class CourseListApi(ListAPIView):
    """Courses on sale, paginated."""

    serializer_class = CourseSerializer

    def get_queryset(self):
        return selectors.course_list_on_sale()


class CourseDetailApi(APIView):
    """One course on sale; `purchased` says whether the caller owns it."""

    @extend_schema(responses=CourseDetailSerializer)
    def get(self, request, course_id):
        course = selectors.course_get(course_id=course_id)
        if course is None:
            raise LuffyError("课程不存在", status_code=404, code="not_found")
        course.purchased = selectors.course_is_owned(user=request.user, course=course)
        return APIResponse(course=CourseDetailSerializer(course).data)
