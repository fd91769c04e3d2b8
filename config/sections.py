"""Which section of the header a page belongs to: one table, read from the resolved URL.

The header marks the current section with ``aria-current="page"``. The section comes from
the view that answered (``request.resolver_match``), never from slicing the path, so a page
moved to another URL keeps its section. A view may still set ``section`` in its own context:
a view's context wins over a context processor's.
"""

from __future__ import annotations

from django.http import HttpRequest

#: The section of a view, by its ``namespace:name``.
BY_VIEW = {
    "mapviews:home": "map",
    "mapviews:map": "map",
    "mapviews:ranking": "ranking",
    "mapviews:matrix": "matrix",
    "mapviews:history": "history",
    "mapviews:unit": "unit",
    "improvement:all_red": "all_red",
    "improvement:notifications": "notifications",
    "improvement:notifications_read": None,
    "scoring:weights": "weights",
    "scoring:weight_new": "weights",
    "scoring:weight_detail": "weights",
    "scoring:weight_publish": "weights",
    "scoring:methods": "methods",
    "scoring:method_new": "methods",
    "scoring:method_detail": "methods",
    "scoring:method_publish": "methods",
    "scoring:target_list": "targets",
    "scoring:target_new": "targets",
    "scoring:own_method": None,
    **{
        f"scoring:{name}": "unit_method"
        for name in (
            "unit_method",
            "unit_weights",
            "unit_weight_new",
            "unit_weight_detail",
            "unit_methods",
            "unit_method_new",
            "unit_method_detail",
            "unit_targets",
            "unit_target_new",
        )
    },
    "imports:upload": "imports",
    "scoring:month_close": "month_close",
    "scoring:month_rules": "month_close",
    "scoring:month_close_detail": "month_close",
    "scoring:month_open": "month_close",
    "scoring:month_close_now": "month_close",
    "scoring:objection_answer": "month_close",
    "improvement:submissions": "submissions",
    "password_change": "password",
}

#: The section of every other view of a namespace.
BY_NAMESPACE = {
    "improvement": "improvement",
    "indicators": "indicators",
    "audit": "audit",
}


def section_of(view_name: str, namespace: str) -> str | None:
    """The header section of the view ``view_name`` (``namespace:name``), or None."""
    if view_name in BY_VIEW:
        return BY_VIEW[view_name]
    return BY_NAMESPACE.get(namespace)


#: The sections whose links sit in the header's "Manage" menu (marked when one is shown).
MANAGE_SECTIONS = frozenset(
    {
        "weights",
        "methods",
        "targets",
        "unit_method",
        "indicators",
        "imports",
        "month_close",
        "submissions",
        "audit",
    }
)


def section(request: HttpRequest) -> dict:
    """The context processor: ``section`` for templates/base.html, and ``manage_section``
    (whether it is one of the "Manage" menu's)."""
    match = getattr(request, "resolver_match", None)
    if match is None:  # an error page answered before any view
        return {"section": None, "manage_section": False}
    shown = section_of(match.view_name, match.namespace)
    return {"section": shown, "manage_section": shown in MANAGE_SECTIONS}
