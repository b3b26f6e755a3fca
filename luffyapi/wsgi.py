"""WSGI entry point (gunicorn -c gunicorn.conf.py luffyapi.wsgi).

Without DJANGO_SETTINGS_MODULE it runs the production settings, which refuse to start without
their variables: a server never falls back to the laptop's settings and their dev secret.
`make run` and `make dev` set the local settings explicitly.
"""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luffyapi.settings.production")

application = get_wsgi_application()
