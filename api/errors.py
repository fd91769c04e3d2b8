"""Every refusal is JSON with a ``detail`` message, never a page or a 500."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApiError(exceptions.APIException):
    """A bad request, with the reason for the caller."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "Bad request."


def rejection(message: str, defects: list[dict], count: int) -> Response:
    return Response(
        {"detail": message, "defects": defects, "defect_count": count},
        status=status.HTTP_422_UNPROCESSABLE_ENTITY,
    )


def handle_exception(exc, context):
    """DRF's handler, with Django's own refusals added and every body given a ``detail``."""
    if isinstance(exc, BadRequest | DjangoValidationError):
        exc = ApiError(str(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if not (isinstance(data, dict) and isinstance(data.get("detail"), str)):
        response.data = {"detail": _("The request is invalid: %(errors)s") % {"errors": data}}
    return response


def json_refusal(message: str, status_code: int) -> JsonResponse:
    """For refusals made before a view runs (the body limit, a NUL in the address)."""
    return JsonResponse({"detail": message}, status=status_code)
