"""OpenAPI description of our JWT header, which accepts two schemes (JWT and Bearer)."""
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class JWTAuthenticationScheme(OpenApiAuthenticationExtension):
    """Document `Authorization: JWT <token>` (the seed's) and `Bearer <token>` as one scheme."""

    target_class = "rest_framework_simplejwt.authentication.JWTAuthentication"
    match_subclasses = True  # DeferredUserJWTAuthentication takes the same header
    name = "jwtAuth"
    priority = 1

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`JWT <token>` or `Bearer <token>`, token from /api/user/login/"}
