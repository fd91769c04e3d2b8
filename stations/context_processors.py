"""What every page shows of the viewer: their roles, beside their name in the header."""

from __future__ import annotations

from django.http import HttpRequest

from stations.roles import role_labels


def roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"user_roles": role_labels(user)}
