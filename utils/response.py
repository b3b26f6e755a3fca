"""APIResponse: the JSON envelope {"status": 0, "msg": "...", ...data} every API answers with."""
from django.http import JsonResponse
from rest_framework import status as http
from rest_framework.response import Response


class APIResponse(Response):
    """A DRF Response whose body is the envelope; `status` is the envelope's, not HTTP's."""

    def __init__(self, status=0, msg="ok", http_status=http.HTTP_200_OK, headers=None, **data):
        super().__init__(data={"status": status, "msg": msg, **data},
                         status=http_status, headers=headers)


def envelope_response(http_status, msg, code, **data) -> JsonResponse:
    """The error envelope for answers made outside DRF (404, 413, 411, 500, middleware).

    Written as DRF's JSONRenderer writes every other API answer: `application/json`, UTF-8,
    compact, no `\\u` escapes (so `msg` is readable as sent).
    """
    return JsonResponse({"status": 1, "msg": msg, "code": code, **data}, status=http_status,
                        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
