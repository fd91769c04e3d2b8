"""Serve plotly.js from the installed plotly package, so the browser always gets
exactly the version the Python side generates figures for, with no CDN and no
copy to keep in step. Collected like any static file (``collectstatic``)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

from mapviews.plotlybundle import PLOTLY_FILE, plotly_package_dir


@cache
def plotly_js_version() -> str:
    from plotly.offline import get_plotlyjs_version

    return get_plotlyjs_version()


def plotly_static_path() -> str:
    """The static path of plotly.js, e.g. ``vendor/plotly-3.7.0/plotly.min.js``."""
    return f"{_prefix()}/{PLOTLY_FILE}"


def _prefix() -> str:
    return f"vendor/plotly-{plotly_js_version()}"


def _package_dir() -> Path:
    return plotly_package_dir()


class PlotlyFinder(BaseFinder):
    def check(self, **kwargs):
        return []

    def find(self, path, find_all=False, **kwargs):
        if path != plotly_static_path():
            return [] if find_all else None
        match = os.fspath(_package_dir() / PLOTLY_FILE)
        return [match] if find_all else match

    def list(self, ignore_patterns):
        storage = FileSystemStorage(location=_package_dir())
        storage.prefix = _prefix()
        yield PLOTLY_FILE, storage
