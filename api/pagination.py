from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination

from api.errors import ApiError


class Pages(PageNumberPagination):
    """``?page=`` from 1 and ``?page_size=`` up to 1000; a page out of range is a 400."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as error:
            raise ApiError(
                _("%(page)r is not a page of this list.")
                % {"page": request.query_params.get(self.page_query_param, "")}
            ) from error
