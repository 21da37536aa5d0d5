"""WSGI entry point for gunicorn: `gunicorn cccd.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cccd.settings")
application = get_wsgi_application()
