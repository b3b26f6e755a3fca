"""Page-number pagination that answers in the envelope."""
from rest_framework.pagination import PageNumberPagination

from utils.response import APIResponse


class EnvelopePagination(PageNumberPagination):
    """`?page=N&page_size=M`; the page sits beside status/msg as count/next/previous/results."""

    page_size_query_param = "page_size"
    max_page_size = 50

    def get_paginated_response(self, data):
        return APIResponse(count=self.page.paginator.count, next=self.get_next_link(),
                           previous=self.get_previous_link(), results=data)

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"] = {"status": {"type": "integer", "example": 0},
                                "msg": {"type": "string"}, **schema["properties"]}
        return schema
