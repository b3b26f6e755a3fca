"""`make bench` settings: production's, plus the reference endpoint and the run's own values.

The benchmark harness (benchmarks/http_bench.py) sets every variable production requires —
a throw-away SECRET_KEY, key pairs generated for the run, its own database — so what is
measured is the production configuration, not a debug one.
"""
import os
from datetime import timedelta

from .production import *  # noqa: F401,F403

DEBUG = False
# The bare JWT-authenticated endpoint every path is compared with; it exists only here.
ROOT_URLCONF = "benchmarks.urls"
# Plain HTTP on 127.0.0.1: no TLS in front of gunicorn here.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
# No Redis on this machine: throttles count in each worker's memory instead.
if os.environ.get("BENCH_CACHE") == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The harness mints the request pools' access tokens once, before a run that can outlast
# production's minutes (BENCH_SECONDS); verifying a token costs the same whatever its lifetime.
SIMPLE_JWT = {**SIMPLE_JWT, "ACCESS_TOKEN_LIFETIME": timedelta(hours=2)}  # noqa: F405
