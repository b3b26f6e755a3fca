"""Page-number pagination that answers in the envelope and refuses a page it cannot read."""
import re

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from utils.response import APIResponse

_DIGITS = re.compile(r"[0-9]{1,9}")


class EnvelopePagination(PageNumberPagination):
    """`?page=N&page_size=M`; the page sits beside status/msg as count/next/previous/results.

    Both are positive integers (page_size at most max_page_size): anything else is a 400, not
    silently the first page; a page past the end is a 404.
    """

    page_size_query_param = "page_size"
    max_page_size = 50

    def _query_int(self, request, name, maximum=None):
        raw = request.query_params.get(name)
        if raw is None:
            return None
        if not _DIGITS.fullmatch(raw) or int(raw) < 1 or (maximum and int(raw) > maximum):
            limit = f"1 到 {maximum} 之间的整数" if maximum else "正整数"
            raise ValidationError({name: [f"{name} 必须是{limit}"]})
        return int(raw)

    def get_page_size(self, request):
        return self._query_int(request, self.page_size_query_param, self.max_page_size) \
            or self.page_size

    def paginate_queryset(self, queryset, request, view=None):
        self._query_int(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def paginate_count(self, count, request, view=None) -> range:
        """The window of `count` items the request asks for, checked as paginate_queryset does.

        For a selector that reads one window itself: Django's Paginator does the arithmetic on
        `range(count)` (page 1 of nothing is an empty page; a page past the end is a 404).
        """
        indexes = self.paginate_queryset(range(count), request, view)
        return range(indexes[0], indexes[-1] + 1) if indexes else range(0)

    def get_paginated_response(self, data):
        return APIResponse(count=self.page.paginator.count, next=self.get_next_link(),
                           previous=self.get_previous_link(), results=data)

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"] = {"status": {"type": "integer", "example": 0},
                                "msg": {"type": "string"}, **schema["properties"]}
        schema["required"] = ["status", "msg", *schema.get("required", [])]
        return schema

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.page_query_param: {"maximum": 10 ** 9 - 1},
                  self.page_size_query_param: {"maximum": self.max_page_size}}
        for parameter in parameters:
            parameter["schema"] = {"type": "integer", "minimum": 1, **bounds[parameter["name"]]}
        return parameters
