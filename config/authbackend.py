"""A user's permissions read once per state of the data, not on every request.

Every page asks for the viewer's permissions (the header's links, the views' checks):
two queries a request with Django's ``ModelBackend``. This backend keeps the set in the
cache under the data's generation (``mapviews.pagecache``), which moves on with every
save of a user, group or permission (the ``auth`` app is watched, group membership
included), so a right taken away is gone on the next request. Only the permissions of
active users, without an object, are kept; ``PAGE_BODY_SECONDS`` 0 keeps nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from mapviews.pagecache import generation


class KeptPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        seconds = settings.PAGE_BODY_SECONDS
        if obj is not None or not seconds or not user_obj.is_active or user_obj.is_anonymous:
            return super().get_all_permissions(user_obj, obj)
        if hasattr(user_obj, "_perm_cache"):
            return user_obj._perm_cache
        key = f"perms:{user_obj.pk}:{generation()}"
        kept = cache.get(key)
        if kept is None:
            kept = super().get_all_permissions(user_obj)
            cache.set(key, kept, seconds)
        user_obj._perm_cache = kept
        return kept
