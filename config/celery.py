"""The Celery application. Configuration is read from Django settings (CELERY_*)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("station_map")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
