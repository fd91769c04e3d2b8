"""Not built yet."""

from django.http import Http404


def measure_new(request, **kwargs):
    raise Http404


def measure_detail(request, **kwargs):
    raise Http404


def measure_edit(request, **kwargs):
    raise Http404


def measure_check_in(request, **kwargs):
    raise Http404
