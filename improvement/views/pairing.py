"""Not built yet."""

from django.http import Http404


def pairing(request, **kwargs):
    raise Http404


def pairing_end(request, **kwargs):
    raise Http404


def department_help(request, **kwargs):
    raise Http404


def help_end(request, **kwargs):
    raise Http404
