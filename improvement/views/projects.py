"""Not built yet."""

from django.http import Http404


def project_new(request, **kwargs):
    raise Http404


def project_detail(request, **kwargs):
    raise Http404


def project_edit(request, **kwargs):
    raise Http404


def project_check_in(request, **kwargs):
    raise Http404


def milestone_add(request, **kwargs):
    raise Http404


def milestone_done(request, **kwargs):
    raise Http404
