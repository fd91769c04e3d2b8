"""A user's permissions read once per state of the data, not on every request.

Every page asks for the viewer's permissions (the header's links, the views' checks):
two queries a request with Django's ``ModelBackend``. This backend keeps the set in the
cache under the data's generation (``mapviews.pagecache``), which moves on with every
save of a user, group or permission (the ``auth`` app is watched, group membership
included), so a right taken away is gone on the next request. Only the permissions of
active users, without an object, are kept; ``PAGE_BODY_SECONDS`` 0 keeps nothing.

The set is the user's permissions *in their scope* (``stations.roles.readable_permissions``:
a unit member keeps only the view permissions), and the user's scope
(``stations.scope``) is kept beside it the same way, so a page that asks which companies
the user may see makes no query for it while the data is unchanged.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from mapviews.pagecache import generation
from stations.roles import readable_permissions
from stations.scope import Scope, read_scope, remember


def kept_scope(user) -> Scope:
    """The user's scope (``stations.scope.read_scope``), kept per state of the data and
    put on the user object."""
    found = getattr(user, "_org_scope", None)
    if found is not None:
        return found
    seconds = settings.PAGE_BODY_SECONDS
    key = f"scope:{user.pk}:{generation()}"
    found = cache.get(key) if seconds else None
    if found is None:
        found = read_scope(user)
        if seconds:
            cache.set(key, found, seconds)
    remember(user, found)
    return found


class KeptPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        seconds = settings.PAGE_BODY_SECONDS
        if obj is not None or not user_obj.is_active or user_obj.is_anonymous:
            return super().get_all_permissions(user_obj, obj)
        if hasattr(user_obj, "_perm_cache"):
            return user_obj._perm_cache
        kept_scope(user_obj)
        if not seconds:
            found = readable_permissions(user_obj, super().get_all_permissions(user_obj))
            user_obj._perm_cache = found
            return found
        key = f"perms:{user_obj.pk}:{generation()}"
        kept = cache.get(key)
        if kept is None:
            kept = readable_permissions(user_obj, super().get_all_permissions(user_obj))
            cache.set(key, kept, seconds)
        user_obj._perm_cache = kept
        return kept
