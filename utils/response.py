"""APIResponse: the JSON envelope {"status": 0, "msg": "...", ...data} every API answers with."""
from rest_framework import status as http
from rest_framework.response import Response


class APIResponse(Response):
    """A DRF Response whose body is the envelope; `status` is the envelope's, not HTTP's."""

    def __init__(self, status=0, msg="ok", http_status=http.HTTP_200_OK, headers=None, **data):
        super().__init__(data={"status": status, "msg": msg, **data},
                         status=http_status, headers=headers)
