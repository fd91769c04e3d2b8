"""Not built yet."""

from django.http import Http404


def all_red(request, **kwargs):
    raise Http404
