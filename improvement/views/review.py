"""Not built yet."""

from django.http import Http404


def review(request, **kwargs):
    raise Http404
