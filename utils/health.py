"""GET /api/health/: is this instance able to serve (database and cache answer)? For load balancers."""
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from utils.logging import get_logger

logger = get_logger("django.request")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("health: database unreachable", exc_info=True)
        connection.close()  # the next check opens a fresh connection
        return False
    return True


def _cache_ok() -> bool:
    try:
        cache.get("luffy:health")  # one round trip; raises when Redis is down
    except Exception:  # the backend's own error types (redis.ConnectionError, ...)
        logger.warning("health: cache unreachable", exc_info=True)
        return False
    return True


def _providers() -> dict:
    """{name: ok} of the enabled payment providers: can this process build each one's client
    from its settings (key files readable and valid)? No network: built once per process."""
    from apps.order import providers  # the project's payment seam; imported when first asked
    return {f"payment_{provider.name}": provider.health()
            for provider in providers.enabled().values()}


@never_cache
@require_GET
def health(request):
    """200 {"status": 0, "database": "ok", "cache": "ok", "payment_alipay": "ok", ...};
    503 naming what is down.

    Two round trips (SELECT 1 and one cache GET) and each enabled payment provider's cached
    client, no session, no authentication, no throttle: cheap enough for a load balancer to
    call every second.
    """
    checks = {"database": _database_ok(), "cache": _cache_ok(), **_providers()}
    down = [name for name, ok in checks.items() if not ok]
    body = {name: "ok" if ok else "down" for name, ok in checks.items()}
    if down:
        return JsonResponse({"status": 1, "msg": f"unavailable: {', '.join(down)}", **body},
                            status=503)
    return JsonResponse({"status": 0, "msg": "ok", **body})
