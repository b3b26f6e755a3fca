"""WSGI entry point (gunicorn luffyapi.wsgi)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luffyapi.settings.local")

application = get_wsgi_application()
