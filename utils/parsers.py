"""A JSON parser whose errors say what is wrong without echoing parser internals."""
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """JSONParser that turns any malformed body (bad UTF-8, bad syntax, absurd nesting) into 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except (ParseError, RecursionError, ValueError):
            raise ParseError("请求体不是合法的 JSON") from None
