"""Not built yet."""

from django.http import Http404


def notification_list(request, **kwargs):
    raise Http404


def mark_read(request, **kwargs):
    raise Http404
