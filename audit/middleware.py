"""Makes the request's user known to the audit trail, however deep the change is made."""

from __future__ import annotations

from contextvars import ContextVar

_current_request: ContextVar = ContextVar("audit_current_request", default=None)


class CurrentUserMiddleware:
    """Keeps the request in a context variable for the length of the request. The
    request (not its user) is kept, so a login or logout during the request counts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def current_user():
    """The logged-in user of the request being served; None in commands, tasks and for
    anonymous visitors."""
    request = _current_request.get()
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    return None
