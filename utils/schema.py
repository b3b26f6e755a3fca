"""OpenAPI that tells the truth: the envelope around every answer, and each error answer given."""
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated

ERROR_DESCRIPTIONS = {
    400: "Invalid input: `errors` has the messages per field.",
    401: "Not logged in, or the token is invalid or expired.",
    403: "Not yours.",
    404: "No such resource (or page).",
    409: "Conflicts with the current state.",
    411: "A body without Content-Length (chunked).",
    413: "The body is over the limit; refused before it is read.",
    415: "The body is not JSON.",
    429: "Too many attempts: wait `Retry-After` seconds.",
    503: "Alipay could not confirm a payment state; try again shortly.",
}


class ErrorEnvelopeSerializer(serializers.Serializer):
    """Every error: a non-zero `status`, a message for people, a `code` for programs."""

    status = serializers.IntegerField(min_value=1)
    msg = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(required=False, help_text="Messages per field (400).")


def envelope(name, **fields):
    """A success answer: `status` (0; 1 for "not yet"), `msg`, then the data fields."""
    return inline_serializer(name, {"status": serializers.IntegerField(),
                                    "msg": serializers.CharField(), **fields})


def errors(*codes) -> dict:
    """`responses` entries for these error codes, each the error envelope."""
    return {code: OpenApiResponse(ErrorEnvelopeSerializer, description=ERROR_DESCRIPTIONS[code])
            for code in codes}


class EnvelopeAutoSchema(AutoSchema):
    """AutoSchema that adds the error answers every endpoint of a kind gives.

    Views list their own business errors (403, 409, ...) with `errors(...)`; the ones that follow
    from the view's shape are added here: a bad token (401), a body (400, 411, 413, 415), a page
    (400 for a bad page or page_size, 404 past the end), a path parameter (404), a throttle (429).
    """

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in sorted(self._implied_error_codes()):
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    errors(code)[code], str(code), direction=direction)
        return responses

    def _implied_error_codes(self):
        codes = set()
        if self.view.get_authenticators() or any(
                isinstance(p, IsAuthenticated) for p in self.view.get_permissions()):
            codes.add(401)
        if self.method in ("POST", "PUT", "PATCH"):
            codes |= {411, 413}
            if any(issubclass(p, JSONParser) for p in self.view.parser_classes):
                codes |= {400, 415}
        if self._is_list_view() and self._get_paginator():
            codes |= {400, 404}
        if "{" in self.path:
            codes.add(404)
        if self.view.throttle_classes:  # rate-limited (register, buy now): 429 with Retry-After
            codes.add(429)
        return codes
