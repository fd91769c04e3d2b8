"""Page bodies kept rendered: what the data decides, rendered once per state of the data.

Most of a page's time is spent reading and shaping the data (queries, pandas, the
figure) and rendering its body; what differs per viewer is the header (their name,
rights and unread notifications) and the CSP nonce. So a page is split in two:

- its **body** (``templates/<app>/_<page>_body.html``) is rendered with the view's whole
  context and kept in the cache as text, under a key of everything it depends on
  (``body_key``): the page's name, the data's generation, the viewer's company and
  station with a stamp of the company's published runs (``viewer_stamp``, one query),
  the viewer's rights (superuser, staff, every permission), the language, the query
  string, and the page's own *scope* (anything else the body depends on);
- the **page** (``templates/<app>/<page>.html``) extends ``base.html`` and puts the body
  in with ``{{ body }}``; it is rendered on every request, so the header, the messages
  and the nonce of plotly's style element are the request's own. What the page's blocks
  need besides the body (a title, whether a chart is shown) is kept with the body
  (``keep``).

How to apply it to another page::

    def review(request):
        ...  # checks that may refuse the request: permission, 400 for a bad parameter
        return render_kept(
            request,
            "improvement/review",  # improvement/review.html around _review_body.html
            lambda: review_context(request),  # only called on a miss
            keep=("period",),
        )

and move the page's ``{% block content %}`` into the body template. The body is rendered
without the request (no context processor runs) but with ``user`` and ``perms``: it may
show what the viewer's rights allow (they are in the key), never who they are (their
name), nor a ``csrf_token`` (a form's token is the viewer's) or ``request.csp_nonce``.

When the body changes (correctness first): the key holds the data's *generation*, a
number in the cache that every save or delete of a model of the apps that pages show
(``WATCHED_APPS``) and every signal of new values, new grades or a new company moves on
(``bump_generation``, at once and again when the transaction commits). A run published
with ``QuerySet.update`` changes the viewer stamp. What neither sees (a bulk update of
stations from an import file) shows when the body expires (``settings.PAGE_BODY_SECONDS``,
60 s; 0 keeps nothing). Without a reachable cache nothing is kept and every page is
rendered; with the local-memory cache
(no Redis) each process keeps its own bodies and counts its own generation, so another
process's change shows within that time.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.context_processors import PermWrapper
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from mapviews import answers, gzipjoin
from scoring.selectors import ViewerStamp, viewer_stamp
from stations.scope import user_scope
from stations.viewer import viewed_company_id

T = TypeVar("T")

#: The query parameters the kept pages read: only these are part of a body's key (any
#: other is ignored by the pages, and would let a visitor fill the cache with copies).
PAGE_PARAMETERS = frozenset(
    {"period", "county", "page", "sort", "dir", "from", "to", "unattended", "compact"}
)
#: The cache key of the data's generation.
GENERATION_KEY = "pagecache:generation"
#: Apps whose rows the pages show: a save or delete of any of their models is a new
#: generation (but for the models in ``UNWATCHED``).
WATCHED_APPS = frozenset({"stations", "indicators", "scoring", "improvement", "auth"})
#: Rows no kept body shows (each viewer's own, or bookkeeping), by ``app_label.model``.
UNWATCHED = frozenset(
    {
        "improvement.notification",  # the header's count, rendered per request
        "scoring.usedpreview",
    }
)
#: A save of only these fields changes nothing a body shows (a login's timestamp, a
#: password rehashed on login).
UNSHOWN_FIELDS = frozenset({"last_login", "password"})


class Generation:
    """A number in the cache that a change moves on: what is kept under an older number
    is out of date. A new one on start (a lost or cleared cache never brings back an old
    number, so never an old copy)."""

    def __init__(self, key: str) -> None:
        self.key = key
        self._bump = self.bump  # one bound method: registered once per transaction

    def current(self) -> int:
        value = cache.get(self.key)
        if value is None:
            cache.add(self.key, time.time_ns(), None)
            value = cache.get(self.key, 0)
        return value

    def bump(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # not there (or no cache): a new number
            cache.set(self.key, time.time_ns(), None)

    def changed(self, **_kwargs: Any) -> None:
        """At once (a request of this transaction sees its own change) and when the
        transaction commits (a request that read the old rows meanwhile kept its copy
        under the old number only if it started before; one that started after the first
        bump and read the old rows is set aside by the second)."""
        self.bump()
        connection = transaction.get_connection()
        if connection.in_atomic_block and not any(
            callback is self._bump for _sids, callback, _robust in connection.run_on_commit
        ):  # once per transaction
            transaction.on_commit(self._bump)


#: The data's generation: what every kept body is kept under.
DATA = Generation(GENERATION_KEY)


def generation() -> int:
    """The data's generation (``DATA``)."""
    return DATA.current()


def bump_generation() -> None:
    """Every kept body is out of date: the next request of each page renders it again."""
    DATA.bump()


def data_changed() -> None:
    """For writes that send no model signal (``bulk_create``, ``QuerySet.update``): every
    kept body is out of date, now and when the transaction commits."""
    DATA.changed()


def _row_changed(sender, **kwargs: Any) -> None:
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in WATCHED_APPS:
        return
    if f"{meta.app_label}.{meta.model_name}" in UNWATCHED:
        return
    fields = kwargs.get("update_fields")
    if fields and set(fields) <= UNSHOWN_FIELDS:
        return
    DATA.changed()


def connect(signals: Iterable = ()) -> None:
    """Watch the rows of ``WATCHED_APPS`` and the given signals (called once, from
    ``MapviewsConfig.ready``; an app above may pass its own signals)."""
    for model_signal in (post_save, post_delete, m2m_changed):
        model_signal.connect(_row_changed, dispatch_uid=f"pagecache-{id(model_signal)}")
    for signal in signals:
        signal.connect(DATA.changed, dispatch_uid=f"pagecache-{id(signal)}")


def kept_viewer(request: HttpRequest) -> ViewerStamp:
    """``scoring.selectors.viewer_stamp`` of the request's user and the company they look
    at (``stations.viewer.viewed_company_id``, within their scope), read once per request
    and kept per state of the data: every change of what it reads (a run published, new
    marks, a station or membership changed) is a new generation."""
    stamp = getattr(request, "_kept_viewer", None)
    if stamp is not None:
        return stamp
    user = request.user
    seconds = settings.PAGE_BODY_SECONDS
    company_id = viewed_company_id(request) if user.is_authenticated else None
    key = f"viewer:{user.pk or 0}:{company_id}:{generation()}"
    stamp = cache.get(key) if seconds else None
    if stamp is None:
        stamp = viewer_stamp(user, company_id)
        if seconds:
            cache.set(key, stamp, seconds)
    request._kept_viewer = stamp
    return stamp


def body_key(request: HttpRequest, page: str, scope: tuple = ()) -> str:
    """The cache key of a page's body for this request (``kept_viewer``)."""
    user = request.user
    viewer = kept_viewer(request)
    query = sorted((k, v) for k, v in request.GET.lists() if k in PAGE_PARAMETERS)
    # The viewer's rights (read once per request: the header reads them too).
    rights = (user.is_superuser, user.is_staff, sorted(user.get_all_permissions()))
    # The companies the viewer may see: a page of an object of another company than the
    # one they look at (a station by its code) is only kept for those who may see it.
    seen = user_scope(user).company_ids if user.is_authenticated else ()
    parts = (viewer.company_id, viewer.own_station_id, viewer.published, query, rights, seen, scope)
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:40]
    return f"pagebody:{page}:{generation()}:{get_language()}:{digest}"


def render_kept(
    request: HttpRequest,
    page: str,
    build: Callable[[], dict],
    *,
    scope: tuple = (),
    keep: Iterable[str] = (),
) -> HttpResponse:
    """The page ``page`` ("mapviews/ranking"): its shell ``<page>.html`` rendered per
    request around its body ``<dir>/_<name>_body.html`` kept by ``kept_body``; gzipped
    without compressing the kept body again (``mapviews.answers``)."""
    folder, name = page.rsplit("/", 1)
    parts = kept_body(
        request,
        page=page,
        template=f"{folder}/_{name}_body.html",
        build=build,
        scope=scope,
        keep=keep,
    )
    body = parts.pop("body")
    shell = render_to_string(f"{page}.html", {**parts, "body": mark_safe(BODY_SLOT)}, request)
    head, slot, tail = shell.partition(BODY_SLOT)
    if not slot:  # a shell without ``{{ body }}``
        return answers.joined(request, [shell])
    return answers.joined(request, [head, body, tail])


#: Stands for the body in a rendered shell (random per process: no page text holds it).
BODY_SLOT = f"<!--body-{secrets.token_hex(16)}-->"


def kept_body(
    request: HttpRequest,
    *,
    page: str,
    template: str,
    build: Callable[[], dict],
    scope: tuple = (),
    keep: Iterable[str] = (),
) -> dict[str, Any]:
    """The template variables of the page's shell: ``body`` (the body template rendered
    with ``build()``'s context, kept as a ``gzipjoin.Piece``: UTF-8 and compressed once)
    and the context values named in ``keep`` (plain values: they are kept with it).
    ``build`` is called only when the body is not kept; it may raise (a 400, a 404) as
    the view would."""

    def render_body() -> dict[str, Any]:
        context = build()
        rendered = {name: context.get(name) for name in keep}
        # Without the request: no context processor runs (the header's are the page's).
        # The viewer's rights are in the key, so the body may show what they allow.
        rights = {"user": request.user, "perms": PermWrapper(request.user)}
        body = render_to_string(template, {**rights, **context})
        rendered["body"] = gzipjoin.piece(body.encode())
        return rendered

    return dict(kept(request, page, render_body, scope=scope))


def kept(request: HttpRequest, page: str, build: Callable[[], T], *, scope: tuple = ()) -> T:
    """``build()``, kept under ``body_key`` for ``PAGE_BODY_SECONDS`` (built each time
    with 0). What it returns must not depend on who the viewer is beyond what the key
    holds; it may raise, and then nothing is kept."""
    seconds = settings.PAGE_BODY_SECONDS
    if not seconds:
        return build()
    key = body_key(request, page, scope)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    return value
