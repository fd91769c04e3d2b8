"""Not built yet."""

from django.http import Http404


def bulletin(request, **kwargs):
    raise Http404


def bulletin_download(request, **kwargs):
    raise Http404
